using System.Buffers;
using System.Security.Cryptography;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// The SHA-256 of an upload, computed from the parts' own buffers as they become contiguous, so that the payload
/// need not be read back to be checked. A part staged ahead of a gap waits here (its buffer counts against the
/// upload's window) until the gap is filled.
/// </summary>
/// <remarks>
/// When the bytes of a gap are not in this process — parts held from before a resumption, or more parts waiting
/// than <c>maxWaiting</c> — hashing from memory stops: the waiting buffers are returned, and
/// <see cref="FinishAsync"/> reads the rest back from the store, from the first byte not hashed.
/// </remarks>
internal sealed class UploadDigest : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SortedDictionary<int, (byte[] Buffer, int Size)> _waiting = [];
    private readonly int _maxWaiting;
    private int _next;
    private long _hashedBytes;
    private bool _fromMemory = true;

    public UploadDigest(int maxWaiting) => _maxWaiting = maxWaiting;

    /// <summary>How many parts wait for an earlier one; their buffers are held.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The part the waiting ones wait for: the next one to hash from memory (-1 once hashing from memory stopped).</summary>
    public int Next
    {
        get
        {
            lock (_gate)
            {
                return _fromMemory ? _next : -1;
            }
        }
    }

    /// <summary>Takes a staged part's pooled buffer: hashed now if it is the next part, else kept until it is (or returned).</summary>
    public void Add(int index, byte[] buffer, int size)
    {
        List<byte[]> release = [];
        lock (_gate)
        {
            if (!_fromMemory || index < _next || _waiting.ContainsKey(index))
            {
                release.Add(buffer);
            }
            else if (index == _next)
            {
                Append(buffer, size);
                release.Add(buffer);
                while (_waiting.Remove(_next, out (byte[] Buffer, int Size) part))
                {
                    Append(part.Buffer, part.Size);
                    release.Add(part.Buffer);
                }
            }
            else if (_waiting.Count >= _maxWaiting)
            {
                release.Add(buffer);
                StopFromMemory(release);
            }
            else
            {
                _waiting.Add(index, (buffer, size));
            }
        }

        Return(release);
    }

    /// <summary>Parts are held whose bytes this process never saw: the rest is hashed from the store.</summary>
    public void StopFromMemory()
    {
        List<byte[]> release = [];
        lock (_gate)
        {
            StopFromMemory(release);
        }

        Return(release);
    }

    /// <summary>The payload's SHA-256: what was hashed from memory, then the rest read back from <paramref name="store"/>.</summary>
    public async Task<byte[]> FinishAsync(IPayloadStore store, Guid transferId, long totalSize, CancellationToken cancellationToken)
    {
        long from;
        StopFromMemory();
        lock (_gate)
        {
            from = _hashedBytes;
        }

        if (from < totalSize)
        {
            await PayloadDigest.AppendAsync(_hash, store, transferId, from, totalSize, cancellationToken).ConfigureAwait(false);
        }

        return _hash.GetHashAndReset();
    }

    public void Dispose()
    {
        StopFromMemory();
        _hash.Dispose();
    }

    private void Append(byte[] buffer, int size)
    {
        _hash.AppendData(buffer, 0, size);
        _hashedBytes += size;
        _next++;
    }

    private void StopFromMemory(List<byte[]> release)
    {
        _fromMemory = false;
        foreach ((byte[] buffer, int _) in _waiting.Values)
        {
            release.Add(buffer);
        }

        _waiting.Clear();
    }

    private static void Return(List<byte[]> buffers)
    {
        foreach (byte[] buffer in buffers)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
