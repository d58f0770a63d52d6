using System.Buffers;
using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TamTam.Diagnostics;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Sessions;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// Streams one parted delivery to this session's node: the parts it has not confirmed, read back from the
/// payload store by range (or cut from an inline payload too large for one frame to this node), at most a
/// window of them unacknowledged. Each part's bytes are read into a pooled
/// buffer, encoded into the output and the buffer returned: the gateway never holds the payload.
/// </summary>
internal sealed class OutboundTransfer : IDisposable
{
    private readonly GatewaySession _session;
    private readonly IPayloadStore? _store;
    private readonly ReadOnlyMemory<byte> _inline;
    private readonly ILogger _logger;
    private readonly string _node;
    /// <summary>Parts read from the store at once, ahead of the one being written.</summary>
    private const int ReadAhead = 4;

    private readonly SemaphoreSlim _window;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _gate = new();
    private readonly BitArray _confirmed;
    private readonly ProgressReporter? _progress;
    private readonly ITransferGrain? _grain;
    private int _confirmedCount;

    private OutboundTransfer(GatewaySession session, IPayloadStore? store, ITransferGrain? grain, ReadOnlyMemory<byte> inline, ILogger logger,
        string node, Guid id, PayloadLayout layout, int window)
    {
        _session = session;
        _store = store;
        _grain = grain;
        _inline = inline;
        _logger = logger;
        _node = node;
        Id = id;
        Layout = layout;
        _window = new SemaphoreSlim(window, window);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(session.Closing);
        _confirmed = new BitArray(layout.PartCount);
        _progress = grain is null ? null : new ProgressReporter(indexes => grain.PartsConfirmedAsync(node, layout.PartSize, indexes), logger, id);
    }

    /// <summary>A parted message's payload, read back from the store; the node's confirmations are recorded in its transfer's grain.</summary>
    public static OutboundTransfer Stored(GatewaySession session, IPayloadStore store, ITransferGrain grain, ILogger logger, string node, Guid id,
        PayloadLayout layout, int window) =>
        new(session, store, grain, ReadOnlyMemory<byte>.Empty, logger, node, id, layout, window);

    /// <summary>An inline payload cut into parts for a node whose max_body it exceeds; nothing about it is recorded.</summary>
    public static OutboundTransfer Inline(GatewaySession session, ReadOnlyMemory<byte> payload, ILogger logger, string node, Guid id,
        PayloadLayout layout, int window) =>
        new(session, null, null, payload, logger, node, id, layout, window);

    public Guid Id { get; }

    /// <summary>The layout the receiver gets: the payload cut in this session's part size.</summary>
    public PayloadLayout Layout { get; }

    /// <summary>True once the node has confirmed every part.</summary>
    public bool IsComplete => Volatile.Read(ref _confirmedCount) == Layout.PartCount;

    /// <summary>Sends every part the node has not confirmed, then returns; confirmations keep arriving through <see cref="OnPartAck"/>.</summary>
    public async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        var reads = new Queue<(int Index, Task<byte[]> Read)>();
        using Activity? span = TransferTracing.Downloading(Id, _node, Layout.TotalSize, Layout.PartCount);
        try
        {
            int[] confirmed = _grain is null ? [] : await _grain.GetConfirmedPartsAsync(_node, Layout.PartSize).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (int index in confirmed)
                {
                    if (index < Layout.PartCount && !_confirmed[index])
                    {
                        _confirmed[index] = true;
                        _confirmedCount++;
                    }
                }
            }

            // A node that comes back learns which parts it confirmed before (PART_ACK 0 from the server), then
            // receives only the others (docs/protocol.md section 7).
            foreach (int index in confirmed)
            {
                await _session.Output.WriteAsync(new PartAckFrame(Id, (uint)index, ErrorCode.None), 0, stop).ConfigureAwait(false);
            }

            // Parts are read ahead (ReadAhead at once, within the window) and written in order: a store whose reads
            // take a round trip (blob ranges) is read while the parts before are on their way.
            for (int index = 0; index < Layout.PartCount; index++)
            {
                if (IsConfirmed(index))
                {
                    continue;
                }

                await TakeSlotAsync(reads, stop).ConfigureAwait(false);
                reads.Enqueue((index, ReadPartAsync(index, stop)));
                if (reads.Count >= ReadAhead)
                {
                    await WriteNextAsync(reads, stop).ConfigureAwait(false);
                }
            }

            while (reads.Count > 0)
            {
                await WriteNextAsync(reads, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended or a redelivery replaced this stream; the link delivers the message again.
        }
        catch (ObjectDisposedException)
        {
            // Replaced by a redelivery while waiting for the window.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The store failed to read: the node never gets every part, does not ACK, and the link redelivers.
            TransferGatewayLog.Failed(_logger, exception, Id, _session.ConnectionId, "streaming the parts failed");
        }
        finally
        {
            await ReleaseAsync(reads).ConfigureAwait(false);
        }
    }

    /// <summary>The node's PART_ACK: result 0 confirms the part; 400 asks for it again.</summary>
    public void OnPartAck(in PartAckFrame ack)
    {
        int index = (int)ack.Index;
        if ((uint)index >= (uint)Layout.PartCount)
        {
            return;
        }

        if (ack.Result == ErrorCode.BadChecksum)
        {
            // Sent again within the slot it already holds.
            BackgroundWork.Run(ResendAsync(index), "send a part again", _logger);
            return;
        }

        if (ack.Result == ErrorCode.UnknownTransfer)
        {
            // The node has settled the message already (a redelivery it answered from memory): stop streaming.
            _stop.Cancel();
            return;
        }

        if (ack.Result != ErrorCode.None)
        {
            TransferGatewayLog.PartRefused(_logger, Id, _node, ack.Index, ack.Result);
        }
        else
        {
            bool first;
            lock (_gate)
            {
                first = !_confirmed[index];
                _confirmed[index] = true;
                _confirmedCount += first ? 1 : 0;
            }

            if (first)
            {
                _progress?.Add(index);
            }
        }

        try
        {
            _window.Release();
        }
        catch (SemaphoreFullException)
        {
            // A PART_ACK the node sent twice, or for a part it was not sent: nothing was waiting on it.
        }
        catch (ObjectDisposedException)
        {
            // The stream was replaced or the session ended.
        }
    }

    /// <summary>Completes once the parts confirmed so far are recorded in the transfer's grain (or failed to be).</summary>
    public Task FlushProgressAsync() => _progress?.FlushAsync() ?? Task.CompletedTask;

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private bool IsConfirmed(int index)
    {
        lock (_gate)
        {
            return _confirmed[index];
        }
    }

    private async Task ResendAsync(int index)
    {
        try
        {
            await SendPartAsync(index, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            // Ended meanwhile.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            TransferGatewayLog.Failed(_logger, exception, Id, _session.ConnectionId, $"part {index} could not be sent again");
        }
    }

    private async Task SendPartAsync(int index, CancellationToken stop)
    {
        byte[] buffer = await ReadPartAsync(index, stop).ConfigureAwait(false);
        try
        {
            await WritePartAsync(index, buffer, stop).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Takes a window slot; while none is free, the parts read ahead go out (their slots return only once they are sent and confirmed).</summary>
    private async ValueTask TakeSlotAsync(Queue<(int Index, Task<byte[]> Read)> reads, CancellationToken stop)
    {
        while (!_window.Wait(0, stop))
        {
            if (reads.Count == 0)
            {
                await _window.WaitAsync(stop).ConfigureAwait(false);
                return;
            }

            await WriteNextAsync(reads, stop).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteNextAsync(Queue<(int Index, Task<byte[]> Read)> reads, CancellationToken stop)
    {
        (int index, Task<byte[]> read) = reads.Dequeue();
        byte[] buffer = await read.ConfigureAwait(false);
        try
        {
            await WritePartAsync(index, buffer, stop).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Returns the buffers of parts read ahead and not sent (the stream ended early).</summary>
    private static async ValueTask ReleaseAsync(Queue<(int Index, Task<byte[]> Read)> reads)
    {
        while (reads.TryDequeue(out (int Index, Task<byte[]> Read) pending))
        {
            try
            {
                ArrayPool<byte>.Shared.Return(await pending.Read.ConfigureAwait(false));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Its read failed or was cancelled: it returned its buffer itself.
            }
        }
    }

    /// <summary>Part <paramref name="index"/> read from the store into a pooled buffer the caller returns.</summary>
    private async Task<byte[]> ReadPartAsync(int index, CancellationToken stop)
    {
        int size = Layout.SizeOfPart(index);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            if (_store is null)
            {
                _inline.Slice((int)((long)index * Layout.PartSize), size).CopyTo(buffer);
                return buffer;
            }

            if (!await PayloadDigest.ReadExactlyAsync(_store, Id, (long)index * Layout.PartSize, buffer.AsMemory(0, size), stop).ConfigureAwait(false))
            {
                throw new InvalidDataException($"the payload of transfer {Id} ends before part {index}");
            }

            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private async Task WritePartAsync(int index, byte[] buffer, CancellationToken stop)
    {
        int size = Layout.SizeOfPart(index);
        var payload = new ReadOnlySequence<byte>(buffer, 0, size);
        var part = new PartFrame(Id, (uint)index, (uint)Layout.PartCount, Crc32C.Compute(buffer.AsSpan(0, size)), payload);
        await _session.Output.WriteAsync(part, 0, stop).ConfigureAwait(false);
        await _session.Output.FlushAsync(stop).ConfigureAwait(false);
    }
}
