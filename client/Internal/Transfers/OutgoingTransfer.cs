using System.Buffers;
using System.Collections;
using System.Threading.Channels;
using TamTam.Protocol;

namespace TamTam.Client.Internal.Transfers;

/// <summary>
/// One upload's state between the send loop and the read loop: which parts the server holds, which are in
/// flight (with their bytes, for a resend), and the parts to send next. The read loop only records and
/// signals here; it never waits.
/// </summary>
internal sealed class OutgoingTransfer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly BitArray _acked;
    private readonly Dictionary<int, (byte[] Buffer, int Length, uint Crc)> _inFlight = [];
    private readonly Channel<int> _work = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<Reply> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IProgress<TransferProgress>? _progress;
    private int _ackedCount;
    private long _ackedBytes;

    public OutgoingTransfer(Guid id, uint correlation, long totalSize, int partSize, int partCount, int window, IProgress<TransferProgress>? progress)
    {
        Id = id;
        Correlation = correlation;
        TotalSize = totalSize;
        PartSize = partSize;
        PartCount = partCount;
        Window = new SemaphoreSlim(window, window);
        _acked = new BitArray(partCount);
        _progress = progress;
    }

    public Guid Id { get; }

    public uint Correlation { get; }

    public long TotalSize { get; }

    public int PartSize { get; }

    public int PartCount { get; }

    public SemaphoreSlim Window { get; }

    /// <summary>Indexes to send: first every part the server does not hold, then parts to send again.</summary>
    public ChannelReader<int> Work => _work.Reader;

    /// <summary>The SEND's answer: ACCEPTED, or the ERROR as an exception.</summary>
    public Task<Reply> Outcome => _outcome.Task;

    public int SizeOfPart(int index) => index < PartCount - 1 ? PartSize : (int)(TotalSize - (long)PartSize * (PartCount - 1));

    /// <summary>Queues every part not acknowledged yet; closes the queue at once when the server holds them all.</summary>
    public void QueueMissing()
    {
        lock (_gate)
        {
            for (int i = 0; i < PartCount; i++)
            {
                if (!_acked[i])
                {
                    _work.Writer.TryWrite(i);
                }
            }

            if (_ackedCount == PartCount)
            {
                _work.Writer.TryComplete();
            }
        }
    }

    /// <summary>The bytes of an in-flight part to send again, or false for a part not read yet (or acknowledged meanwhile).</summary>
    public bool TryGetInFlight(int index, out byte[] buffer, out int length, out uint crc)
    {
        lock (_gate)
        {
            if (_inFlight.TryGetValue(index, out (byte[] Buffer, int Length, uint Crc) part))
            {
                (buffer, length, crc) = part;
                return true;
            }
        }

        (buffer, length, crc) = (null!, 0, 0);
        return false;
    }

    public bool IsAcked(int index)
    {
        lock (_gate)
        {
            return _acked[index];
        }
    }

    /// <summary>Records a part about to be written; false when the server acknowledged it meanwhile (the buffer is not kept).</summary>
    public bool TryStart(int index, byte[] buffer, int length, uint crc)
    {
        lock (_gate)
        {
            if (_acked[index])
            {
                return false;
            }

            _inFlight[index] = (buffer, length, crc);
            return true;
        }
    }

    /// <summary>A PART_ACK from the server (read loop).</summary>
    public void OnPartAck(int index, ErrorCode result)
    {
        if ((uint)index >= (uint)PartCount)
        {
            return;
        }

        bool wasInFlight;
        byte[]? release = null;
        TransferProgress? report = null;
        lock (_gate)
        {
            wasInFlight = _inFlight.TryGetValue(index, out (byte[] Buffer, int Length, uint Crc) part);
            if (result == ErrorCode.None)
            {
                if (wasInFlight)
                {
                    _inFlight.Remove(index);
                    release = part.Buffer;
                }

                if (!_acked[index])
                {
                    _acked[index] = true;
                    _ackedCount++;
                    _ackedBytes += SizeOfPart(index);
                    report = new TransferProgress(Id, _ackedCount, PartCount, _ackedBytes, TotalSize);
                    if (_ackedCount == PartCount)
                    {
                        _work.Writer.TryComplete();
                    }
                }
            }
            else if (wasInFlight && IsRetriable(result))
            {
                // Bad checksum on the way, window overflow, or the store failed: the same bytes go again.
                _work.Writer.TryWrite(index);
            }
        }

        if (result != ErrorCode.None && !IsRetriable(result))
        {
            Fail(new TamTamException(result, $"the server refused part {index} of transfer {Id}"));
        }

        if (release is not null)
        {
            ArrayPool<byte>.Shared.Return(release);
        }

        if (wasInFlight)
        {
            Window.Release();
        }

        if (report is { } progress)
        {
            _progress?.Report(progress);
        }
    }

    /// <summary>
    /// ACCEPTED: the message is the server's, so no part is sent any more. It may come before any part was sent, when
    /// a resumed SEND finds its upload already complete (the first connection's parts in flight finished it).
    /// </summary>
    public void OnAccepted(in Reply reply)
    {
        _outcome.TrySetResult(reply);
        _work.Writer.TryComplete();
    }

    public void Fail(Exception exception)
    {
        _outcome.TrySetException(exception);
        _work.Writer.TryComplete(exception);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach ((byte[] buffer, int _, uint _) in _inFlight.Values)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _inFlight.Clear();
        }

        _outcome.Task.Exception?.Handle(_ => true);
        Window.Dispose();
    }

    private static bool IsRetriable(ErrorCode result) =>
        result is ErrorCode.BadChecksum or ErrorCode.WindowFull or ErrorCode.Unavailable or ErrorCode.RateLimited;
}
