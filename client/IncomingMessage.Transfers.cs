using System.Collections;
using System.Security.Cryptography;
using TamTam.Client.Internal.Transfers;
using TamTam.Protocol;

namespace TamTam.Client;

public sealed partial class IncomingMessage
{
    private IncomingTransfer? _transfer;
    private TransferTable? _transfers;
    private HeldPartedMessages? _held;
    private TaskCompletionSource _reattached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// True for a large message that travels as parts: <see cref="Payload"/> is empty, and the bytes are read with
    /// <see cref="ReceivePayloadAsync"/>.
    /// </summary>
    public bool IsParted => _transfer is not null;

    /// <summary>The payload's size in bytes: <see cref="Payload"/>'s length, or the parted payload's.</summary>
    public long PayloadLength => _transfer?.TotalSize ?? Payload.Length;

    /// <summary>The parted payload's SHA-256 as the sender declared it; empty for an inline message.</summary>
    public ReadOnlyMemory<byte> PayloadSha256 => _transfer?.Sha256 ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Writes a parted payload into <paramref name="destination"/> as its parts arrive, acknowledging each part once
    /// written, then checks the whole payload's SHA-256. Acknowledge the message (<see cref="AckAsync"/>) after this
    /// returns; the payload is never held whole in memory. An inline message's payload is written as it is.
    /// </summary>
    /// <remarks>
    /// <para>Parts are written at their offsets when <paramref name="destination"/> can seek, in order otherwise.</para>
    /// <para><b>Resume.</b> When the connection ends midway this throws <see cref="TamTamConnectionException"/>. With
    /// automatic reconnection, call it again on the same message with the same destination: it waits for the
    /// resumed session, on which the server sends only the parts this node has not acknowledged and names the
    /// others, which the destination already holds. Without it (or from a new process), connect again, join under
    /// the same node name and call this for the redelivered message with the same destination (a file opened
    /// without truncating it). Either way the digest is then checked by reading the destination back, so it must
    /// be readable and seekable.</para>
    /// </remarks>
    /// <param name="destination">Where the payload goes, from offset 0 (seekable) or its position.</param>
    /// <param name="progress">Told after each part written.</param>
    /// <param name="cancellationToken">Stops waiting; the parts written and acknowledged are not sent again.</param>
    /// <exception cref="TamTamException">401 BAD_DIGEST: the bytes do not match the sender's SHA-256.</exception>
    /// <exception cref="TamTamConnectionException">The connection ended (call again once the session resumes), or the client ended.</exception>
    public async Task ReceivePayloadAsync(Stream destination, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);

        // Read before the transfer: a re-attachment between the two reads completes this one (see AttachTransfer).
        TaskCompletionSource reattached = Volatile.Read(ref _reattached);
        if (_transfer is not { } transfer)
        {
            await destination.WriteAsync(Payload, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (transfer.LostWithConnection)
        {
            // Called again after the connection was lost midway: wait for the resumed session's redelivery, which
            // attaches this message's parts on the new connection.
            await reattached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            transfer = _transfer;
        }

        TransferTable? table = _transfers;
        try
        {
            byte[] digest;
            try
            {
                digest = await ReceivePartsAsync(transfer, destination, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Threading.Channels.ChannelClosedException closed) when (closed.InnerException is TamTamConnectionException lost)
            {
                // The parts' channel ends with the connection: say so as every other call does.
                throw lost.Again();
            }

            if (!digest.AsSpan().SequenceEqual(transfer.Sha256))
            {
                throw new TamTamException(ErrorCode.BadDigest,
                    $"the {transfer.TotalSize} bytes received for message {MessageId} do not match the sender's SHA-256");
            }
        }
        finally
        {
            table?.Remove(transfer);
            transfer.Complete();
        }
    }

    /// <summary>Settled: parts still on their way are refused (402), which stops the server streaming them.</summary>
    /// <summary>The client has ended: no resumed session will bring this message's parts again.</summary>
    internal void EndTransfer(Exception failure) => _reattached.TrySetException(failure);

    private void ReleaseTransfer()
    {
        if (_transfer is { } transfer)
        {
            _transfers?.Remove(transfer);
            transfer.Complete();
            _held?.Release(this);
        }
    }

    /// <summary>Attaches the parts of this delivery on the current connection (again, after a resumed session's redelivery).</summary>
    internal void AttachTransfer(IncomingTransfer transfer, TransferTable transfers, HeldPartedMessages held)
    {
        _transfer = transfer;
        _transfers = transfers;
        _held = held;
        Interlocked.Exchange(ref _reattached, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static async Task<byte[]> ReceivePartsAsync(IncomingTransfer transfer, Stream destination, IProgress<TransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        var present = new BitArray(transfer.PartCount);
        int count = 0;
        long bytes = 0;
        long origin = destination.CanSeek ? 0 : -1;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int nextInOrder = 0;
        while (count < transfer.PartCount)
        {
            (int index, byte[]? buffer, int length) = await transfer.Parts.ReadAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!IncomingTransfer.Mark(present, index))
                {
                    // A part sent again after this node wrote it (its PART_ACK crossed a redelivery): confirm it again.
                    if (buffer is not null)
                    {
                        transfer.Acknowledge(index);
                    }

                    continue;
                }

                count++;
                bytes += transfer.SizeOfPart(index);
                if (buffer is null)
                {
                    // Acknowledged on an earlier connection: the destination holds it already.
                    nextInOrder = -1;
                }
                else
                {
                    if (origin >= 0)
                    {
                        long offset = (long)index * transfer.PartSize;
                        if (destination.Position != offset)
                        {
                            destination.Position = offset;
                        }
                    }
                    else if (index != nextInOrder)
                    {
                        throw new InvalidOperationException($"part {index} arrived out of order; receive into a seekable stream to resume");
                    }

                    await destination.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    if (index == nextInOrder)
                    {
                        hash.AppendData(buffer, 0, length);
                        nextInOrder++;
                    }
                    else
                    {
                        nextInOrder = -1;
                    }

                    transfer.Acknowledge(index);
                }

                progress?.Report(new TransferProgress(transfer.Id, count, transfer.PartCount, bytes, transfer.TotalSize));
            }
            finally
            {
                if (buffer is not null)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (nextInOrder == transfer.PartCount)
        {
            return hash.GetHashAndReset();
        }

        // Parts came out of order or before a resumption: the digest is that of what the destination holds.
        if (!destination.CanSeek || !destination.CanRead)
        {
            throw new InvalidOperationException("a resumed transfer is checked by reading the destination back: it must be readable and seekable");
        }

        destination.Position = 0;
        byte[] digest = await SHA256.HashDataAsync(new BoundedReadStream(destination, transfer.TotalSize), cancellationToken).ConfigureAwait(false);
        destination.Position = transfer.TotalSize;
        return digest;
    }

    /// <summary>The first <c>length</c> bytes of a stream, for hashing a destination that may be longer than the payload.</summary>
    private sealed class BoundedReadStream(Stream inner, long size) : Stream
    {
        private readonly long _size = size;
        private long _left = size;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _size;

        public override long Position { get => _size - _left; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
