using System.Buffers;
using System.Security.Cryptography;
using TamTam.Client.Internal;
using TamTam.Client.Internal.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// The part size the server announced: payloads sent with <see cref="SendStreamAsync"/> larger than this travel
    /// as parts of this size (docs/protocol.md section 7). 0 when the server serves no parted transfers.
    /// </summary>
    public int PartSize => (int)Volatile.Read(ref _connection).Terms.PartSize;

    /// <summary>
    /// Sends the rest of <paramref name="content"/> (from its position) as one message and returns once the server
    /// has made it durable (ACCEPTED). Above <see cref="PartSize"/> it travels as parts: a parted SEND with the
    /// payload's SHA-256, then PART frames, at most <see cref="TransferOptions.Window"/> unacknowledged, read from
    /// the stream as they go — the payload is never held whole in memory.
    /// </summary>
    /// <remarks>
    /// <para><b>Resume.</b> If the connection ends during the upload and the client reconnects on its own
    /// (<see cref="TamTamClientOptions.Reconnect"/>), the upload of a seekable stream goes on by itself on the resumed
    /// session: the server acknowledges the parts it holds and only the others are read again and sent. Otherwise
    /// (reconnect off, a stream that cannot seek, or a new process) connect again, join under the same node name
    /// and call this again with the same <see cref="SendOptions.MessageId"/> and content. A message already
    /// accepted answers with <see cref="SendReceipt.Duplicate"/>.</para>
    /// <para><b>Seeking.</b> A seekable stream is read twice (once for the SHA-256). A stream that cannot seek needs
    /// <see cref="TransferOptions.Length"/> and <see cref="TransferOptions.Sha256"/>.</para>
    /// </remarks>
    /// <param name="port">The destination port.</param>
    /// <param name="content">The payload, read from its current position to its end (or <see cref="TransferOptions.Length"/> bytes).</param>
    /// <param name="options">Destination link, TTL, message id (set it to be able to resume) and subtree choice.</param>
    /// <param name="transfer">Window, known digest and length, progress.</param>
    /// <param name="cancellationToken">
    /// Stops the upload. The parts the server acknowledged stay staged until the server's staging timeout: sending
    /// again with the same message id resumes.
    /// </param>
    /// <returns>The receipt, as <see cref="SendAsync"/> returns it.</returns>
    /// <exception cref="TamTamException">
    /// Refused: 401 BAD_DIGEST (the bytes read did not match the SHA-256), 300 NO_ROUTE, 303 MESSAGE_TOO_LARGE,
    /// 305 EXPIRED (an upload under this id was abandoned), 114 OUT_OF_RANGE (another transfer under this id).
    /// </exception>
    /// <exception cref="TamTamConnectionException">The client ended, or the connection ended under a stream that cannot seek; resume on a new connection.</exception>
    public async Task<SendReceipt> SendStreamAsync(string port, Stream content, SendOptions? options = null, TransferOptions? transfer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        ArgumentNullException.ThrowIfNull(content);
        transfer ??= new TransferOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(transfer.Window, 1, nameof(transfer));
        ThrowIfClosed();

        long origin = content.CanSeek ? content.Position : 0;
        long length = transfer.Length ?? (content.CanSeek
            ? content.Length - origin
            : throw new ArgumentException("a stream that cannot seek needs TransferOptions.Length", nameof(transfer)));
        if (length <= PartSize || PartSize == 0)
        {
            return await SendInlineAsync(port, content, length, options, cancellationToken).ConfigureAwait(false);
        }

        byte[] sha256 = transfer.Sha256 is { } known
            ? known.ToArray()
            : content.CanSeek
                ? await HashAsync(content, origin, length, cancellationToken).ConfigureAwait(false)
                : throw new ArgumentException("a stream that cannot seek needs TransferOptions.Sha256", nameof(transfer));

        Guid messageId = options?.MessageId ?? _messageIds.Next();
        int partSize = PartSize;
        int partCount = checked((int)TransferInfo.PartCountFor((ulong)length, (uint)partSize));
        var send = new SendFrame(messageId, _names.Encode(options?.Link), _names.Encode(port), ToTtlMilliseconds(options?.Ttl),
            options?.Subtree ?? false, Station: null, new TransferInfo((ulong)length, (uint)partSize, (uint)partCount, sha256), default,
            TracePropagation.Current());
        while (true)
        {
            ClientConnection connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Reply accepted = await UploadOnAsync(connection, send, content, origin, length, partSize, partCount, transfer, cancellationToken)
                    .ConfigureAwait(false);
                StatusSlot status = _statuses.Track(messageId);
                return new SendReceipt(messageId, accepted.Sequence, Timestamps.FromMicroseconds(accepted.Timestamp), accepted.Flag, status);
            }
            catch (TamTamConnectionException) when (content.CanSeek && MayRetryAfter(connection))
            {
                // The connection was lost midway: on the next one the same SEND names the parts the server already
                // holds (PART_ACK 0), and only the others are read from the stream again and sent.
                await Task.Yield();
            }
        }
    }

    private async Task<Reply> UploadOnAsync(ClientConnection connection, SendFrame send, Stream content, long origin, long length, int partSize,
        int partCount, TransferOptions transfer, CancellationToken cancellationToken)
    {
        var upload = new OutgoingTransfer(send.MessageId, connection.Requests.ReserveCorrelation(), length, partSize, partCount, transfer.Window,
            transfer.Progress);
        connection.Transfers.Add(upload);

        // The parts loop waits on the window and the stream, not on the connection: it must stop when the connection ends.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Closed);
        try
        {
            connection.Writer.Write(send, upload.Correlation);

            // The server answers the parts it already holds before it reads the next frame: once this PING's PONG is
            // back, every PART_ACK of a resumption has arrived and only the missing parts are queued.
            await PingAsync(attempt.Token).ConfigureAwait(false);
            upload.QueueMissing();
            await SendPartsAsync(connection, upload, content, origin, attempt.Token).ConfigureAwait(false);
            return await upload.Outcome.WaitAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && connection.Failure is { } lost)
        {
            throw lost.Again();
        }
        finally
        {
            connection.Transfers.Remove(upload);
            upload.Dispose();
        }
    }

    /// <summary>Sends <paramref name="content"/> as a parted message and waits for its final status.</summary>
    public async Task<MessageStatus> SendStreamAndWaitAsync(string port, Stream content, SendOptions? options = null, TransferOptions? transfer = null,
        CancellationToken cancellationToken = default)
    {
        SendReceipt receipt = await SendStreamAsync(port, content, options, transfer, cancellationToken).ConfigureAwait(false);
        return await WaitForStatusAsync(receipt.MessageId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SendPartsAsync(ClientConnection connection, OutgoingTransfer upload, Stream content, long origin, CancellationToken cancellationToken)
    {
        // For a stream that cannot seek: the part index its position is at (fresh parts come in ascending order).
        int streamPart = 0;
        await foreach (int index in upload.Work.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (upload.Outcome.IsCompletedSuccessfully)
            {
                // Accepted meanwhile: the parts still queued are not needed.
                return;
            }

            await upload.Window.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!upload.TryGetInFlight(index, out byte[] buffer, out int length, out uint crc))
            {
                if (upload.IsAcked(index))
                {
                    upload.Window.Release();
                    continue;
                }

                length = upload.SizeOfPart(index);
                buffer = ArrayPool<byte>.Shared.Rent(length);
                if (content.CanSeek)
                {
                    content.Position = origin + ((long)index * upload.PartSize);
                }
                else
                {
                    for (; streamPart < index; streamPart++)
                    {
                        await content.ReadExactlyAsync(buffer.AsMemory(0, upload.SizeOfPart(streamPart)), cancellationToken).ConfigureAwait(false);
                    }

                    streamPart = index + 1;
                }

                await content.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                crc = Crc32C.Compute(buffer.AsSpan(0, length));
                if (!upload.TryStart(index, buffer, length, crc))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    upload.Window.Release();
                    continue;
                }
            }

            await connection.Writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            connection.Writer.Write(new PartFrame(upload.Id, (uint)index, (uint)upload.PartCount, crc, new ReadOnlySequence<byte>(buffer, 0, length)), 0);
        }
    }

    private async Task<SendReceipt> SendInlineAsync(string port, Stream content, long length, SendOptions? options, CancellationToken cancellationToken)
    {
        byte[] payload = new byte[length];
        await content.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return await SendAsync(port, payload, options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> HashAsync(Stream content, long origin, long length, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            long left = length;
            while (left > 0)
            {
                int read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"the stream ended {left} bytes before its announced length");
                }

                hash.AppendData(buffer, 0, read);
                left -= read;
            }

            content.Position = origin;
            return hash.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
