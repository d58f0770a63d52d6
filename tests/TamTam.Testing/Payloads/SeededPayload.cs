using System.Buffers.Binary;
using System.Security.Cryptography;

namespace TamTam.Bench.Workloads.W5;

/// <summary>
/// A read-only, seekable stream of <c>length</c> pseudo-random bytes that are a pure function of (seed, position):
/// large payloads are generated as they are read, never stored, and the same seed gives the same bytes again.
/// </summary>
internal sealed class SeededPayload(ulong seed, long length) : Stream
{
    private readonly ulong _seed = seed;
    private readonly long _length = length;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    /// <summary>The SHA-256 of every byte, computed by reading a fresh stream of the same seed.</summary>
    public static byte[] Sha256Of(ulong seed, long length)
    {
        using var stream = new SeededPayload(seed, length);
        return SHA256.HashData(stream);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, _length - _position);
        int done = 0;
        Span<byte> bytes = stackalloc byte[8];
        while (done < count)
        {
            long word = (_position + done) >> 3;
            if (((_position + done) & 7) == 0 && count - done >= 8)
            {
                // Whole words straight into the buffer: the generator must outrun the transfer it feeds.
                BinaryPrimitives.WriteUInt64LittleEndian(buffer[done..], Mix(_seed ^ (ulong)word));
                done += 8;
                continue;
            }

            int within = (int)((_position + done) & 7);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, Mix(_seed ^ (ulong)word));
            int take = Math.Min(8 - within, count - done);
            bytes.Slice(within, take).CopyTo(buffer[done..]);
            done += take;
        }

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // SplitMix64: a good 64-bit mix, so neighbouring words look unrelated.
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
