using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Station.Internal;

// Parted messages through the station (docs/protocol.md sections 5.18 "Parts" and 7), disk-first both ways: a parted DELIVER's
// parts are staged one by one in the station's payload store (each durable before its PART_ACK), the payload committed and its
// SHA-256 checked, then handed to the hosted link as a parted message, which its nodes receive in parts; a local node's parted
// message to a link beyond is uploaded from that store, part by part (UpstreamUpload). Neither direction holds a payload in
// memory, and both resume at the part after a restart: what the store holds is not asked for again.
internal sealed partial class StationRouter
{
    /// <summary>Parted deliveries being received, by message id.</summary>
    private readonly ConcurrentDictionary<Guid, Receiving> _receiving = new();

    /// <summary>Parted messages sent upstream whose local copy goes when their STATUS comes (not kept across a restart).</summary>
    private readonly ConcurrentDictionary<Guid, byte> _uploaded = new();

    private sealed class Receiving(UpstreamConnector from, UpstreamDelivery delivery, PayloadLayout layout, ITransferGrain grain)
    {
        private readonly BitArray _held = new(layout.PartCount);
        private int _heldCount;

        public UpstreamConnector From { get; } = from;

        public UpstreamDelivery Delivery { get; } = delivery;

        public PayloadLayout Layout { get; } = layout;

        public ITransferGrain Grain { get; } = grain;

        public bool AllHeld => _heldCount == Layout.PartCount;

        public bool IsHeld(int index) => _held[index];

        public void MarkHeld(int index)
        {
            if (!_held[index])
            {
                _held[index] = true;
                _heldCount++;
            }
        }
    }

    // ---- a parted message of a local node to a link beyond ----

    /// <summary>
    /// Sends a committed local payload upstream as a parted SEND with STATION, cut in the interchange's part size; the
    /// interchange's ACCEPTED is the local ACCEPTED. Anything short of an answer is 501: the local node sends again, and the
    /// upload resumes where the interchange stands.
    /// </summary>
    private async Task<SendOutcome> ForwardPartedAsync(UpstreamConnector upstream, MessageSource source, string link, SendCommand command)
    {
        TransferDescriptor local = command.Transfer!;
        if (upstream.Connection is not { } connection || !connection.Welcome.IsCompletedSuccessfully)
        {
            return SendOutcome.Refused(ErrorCode.Unavailable, $"the interchange for link \"{link}\" went away: send it again");
        }

        var layout = PayloadLayout.For(local.TotalSize, (int)connection.Welcome.Result.PartSize);
        SendFrame send = ToSendFrame(command, link, source.Link, source.Node) with
        {
            Transfer = new TransferInfo((ulong)layout.TotalSize, (uint)layout.PartSize, (uint)layout.PartCount, local.Sha256),
            Payload = ReadOnlySequence<byte>.Empty,
        };
        UpstreamReply answer;
        try
        {
            answer = await new UpstreamUpload(connection, _payloads, command.MessageId, layout, _options.UpstreamSendTimeout)
                .RunAsync(send, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException
            or PayloadNotFoundException or InvalidDataException)
        {
            // Accepted upstream or not, nobody knows: the journal entry stays, for a status that may still come.
            StationLog.UploadInterrupted(_logger, _options.Name, command.MessageId, link, e.Message);
            return SendOutcome.Refused(ErrorCode.Unavailable, $"the upload of {command.MessageId} to link \"{link}\" was interrupted: send it again to resume");
        }

        if (answer.IsError)
        {
            await _journal!.ForgetAsync(command.MessageId).ConfigureAwait(false);
            return SendOutcome.Refused(answer.Code, answer.Detail);
        }

        _uploaded[command.MessageId] = 0;
        StationLog.Uploaded(_logger, _options.Name, command.MessageId, link, layout.TotalSize, layout.PartCount);
        return new SendOutcome(ErrorCode.None, answer.Sequence, answer.AcceptedAtUs, answer.Duplicate, null);
    }

    /// <summary>The STATUS of a message sent upstream came: a parted one's local copy is not needed any more.</summary>
    private async Task EndUploadAsync(Guid messageId, FinalState state)
    {
        if (_uploaded.TryRemove(messageId, out _))
        {
            await _grains.GetGrain<ITransferGrain>(messageId).FinishedAsync(state).ConfigureAwait(false);
        }
    }

    // ---- a parted DELIVER from an interchange into a hosted link ----

    /// <summary>
    /// A parted DELIVER: its transfer starts (or resumes) in the station's store; the parts the store holds already are not
    /// asked for (the interchange names the ones the station confirmed with PART_ACK 0 and sends the others, and a part sent
    /// again is stored once). A message the hosted link has already is answered as the first time.
    /// </summary>
    private async Task ReceivePartedAsync(UpstreamConnector from, UpstreamDelivery d)
    {
        TransferDescriptor descriptor = d.Transfer!;
        ITransferGrain grain = _grains.GetGrain<ITransferGrain>(d.MessageId);
        var request = new TransferRequest(new MessageSource(d.SourceLink, d.SourceNode), d.DestinationLink, d.Port, false, TtlOf(d), descriptor, d.Reply);
        TransferStart start;
        IReadOnlyList<int> held;
        try
        {
            start = await grain.BeginAsync(request).ConfigureAwait(false);
            held = start.Phase == TransferPhase.Staging ? await _payloads.GetStagedPartsAsync(d.MessageId).ConfigureAwait(false) : [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StationLog.LocalSendFailed(_logger, _options.Name, d.DestinationLink, e);
            await NackAsync(from, d.MessageId, d.Sequence, (ushort)ErrorCode.Unavailable, "the station could not start the transfer", requeue: true)
                .ConfigureAwait(false);
            return;
        }

        if (start.Refusal != ErrorCode.None)
        {
            await NackAsync(from, d.MessageId, d.Sequence, (ushort)start.Refusal, start.Detail ?? start.Refusal.WireName(), requeue: false)
                .ConfigureAwait(false);
            return;
        }

        var receiving = new Receiving(from, d, new PayloadLayout(descriptor.TotalSize, descriptor.PartSize, descriptor.PartCount), grain);
        if (start.Phase is TransferPhase.Staging)
        {
            foreach (int index in held)
            {
                if (index < receiving.Layout.PartCount)
                {
                    receiving.MarkHeld(index);
                }
            }

            if (!receiving.AllHeld)
            {
                _receiving[d.MessageId] = receiving;
                StationLog.Receiving(_logger, _options.Name, d.MessageId, d.DestinationLink, held.Count, receiving.Layout.PartCount);
                return;
            }
        }

        // Every part is here already (or the link has the message): no PART will come.
        await FinishReceivingAsync(receiving, committed: start.Phase != TransferPhase.Staging).ConfigureAwait(false);
    }

    /// <summary>A PART of a parted DELIVER: checked, staged durably, then PART_ACK 0; the last one finishes the transfer.</summary>
    private async Task OnPartAsync(UpstreamConnector from, UpstreamPart part)
    {
        if (!_receiving.TryGetValue(part.TransferId, out Receiving? receiving))
        {
            // A transfer the station does not know (settled already): the interchange stops sending it (section 7).
            await PartAckAsync(from, part, ErrorCode.UnknownTransfer).ConfigureAwait(false);
            return;
        }

        int index = (int)part.Index;
        ErrorCode refusal = part.Count != (uint)receiving.Layout.PartCount || index >= receiving.Layout.PartCount ? ErrorCode.OutOfRange
            : part.Payload.Length != receiving.Layout.SizeOfPart(index) ? ErrorCode.BadLength
            : Crc32C.Compute(part.Payload) != part.Crc32C ? ErrorCode.BadChecksum
            : ErrorCode.None;
        if (refusal == ErrorCode.None && !receiving.IsHeld(index))
        {
            try
            {
                await _payloads.StagePartAsync(part.TransferId, index, part.Payload, part.Crc32C).ConfigureAwait(false);
                receiving.MarkHeld(index);
                await receiving.Grain.PartsStagedAsync([index]).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                StationLog.LocalSendFailed(_logger, _options.Name, receiving.Delivery.DestinationLink, e);
                refusal = receiving.IsHeld(index) ? ErrorCode.None : ErrorCode.Unavailable;
            }
        }

        await PartAckAsync(from, part, refusal).ConfigureAwait(false);
        if (receiving.AllHeld && _receiving.TryRemove(new KeyValuePair<Guid, Receiving>(part.TransferId, receiving)))
        {
            await FinishReceivingAsync(receiving, committed: false).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the payload, checks its SHA-256, and hands the message to its hosted link as a parted message.</summary>
    private async Task FinishReceivingAsync(Receiving receiving, bool committed)
    {
        UpstreamDelivery d = receiving.Delivery;
        UpstreamConnector from = receiving.From;
        TransferDescriptor descriptor = d.Transfer!;
        ILinkGrain link = _grains.GetGrain<ILinkGrain>(d.DestinationLink);
        SendOutcome outcome;
        try
        {
            if (!committed)
            {
                await _payloads.CommitAsync(d.MessageId, receiving.Layout).ConfigureAwait(false);
                if (!(await DigestAsync(d.MessageId, receiving.Layout.TotalSize).ConfigureAwait(false)).AsSpan().SequenceEqual(descriptor.Sha256))
                {
                    StationLog.DigestMismatch(_logger, _options.Name, d.MessageId, d.DestinationLink);
                    await receiving.Grain.DiscardAsync(ErrorCode.BadDigest).ConfigureAwait(false);
                    await NackAsync(from, d.MessageId, d.Sequence, (ushort)ErrorCode.BadDigest,
                        $"the SHA-256 of the {receiving.Layout.TotalSize} bytes station \"{_options.Name}\" received does not match the DELIVER's",
                        requeue: false).ConfigureAwait(false);
                    return;
                }

                await receiving.Grain.CommittedAsync().ConfigureAwait(false);
            }

            _inbound[d.MessageId] = new InboundDelivery(from, d.Sequence);
            var command = new SendCommand(d.MessageId, d.Port, false, TtlOf(d), [], descriptor, d.Reply, d.TraceParent);
            outcome = (await link.SendAsync(new MessageSource(d.SourceLink, d.SourceNode), [command]).ConfigureAwait(false))[0];
            if (outcome.Accepted)
            {
                await receiving.Grain.AcceptedAsync(outcome.Sequence, outcome.AcceptedAtUs).ConfigureAwait(false);
            }
            else if (outcome.Code != ErrorCode.Unavailable)
            {
                await receiving.Grain.DiscardAsync(outcome.Code).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            StationLog.LocalSendFailed(_logger, _options.Name, d.DestinationLink, e);
            outcome = SendOutcome.Refused(ErrorCode.Unavailable, "the station's link could not store it");
        }

        StationMetrics.Delivered.Add(1);
        await AnswerLocalSendAsync(from, link, d, outcome).ConfigureAwait(false);
    }

    /// <summary>The SHA-256 of a committed payload, read back from the store a part's worth at a time.</summary>
    private async Task<byte[]> DigestAsync(Guid id, long totalSize)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long offset = 0;
            while (offset < totalSize)
            {
                int n = await _payloads.ReadAsync(id, offset, buffer).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                sha.AppendData(buffer, 0, n);
                offset += n;
            }

            return sha.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task<bool> PartAckAsync(UpstreamConnector to, UpstreamPart part, ErrorCode result) =>
        to.TryWriteAsync(new PartAckFrame(part.TransferId, part.Index, result), CancellationToken.None, part.Correlation);

    private static uint TtlOf(UpstreamDelivery d)
    {
        long nowUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        return d.DeadlineUs == 0 ? 0 : (uint)Math.Clamp((d.DeadlineUs - nowUs) / 1000, 1, uint.MaxValue);
    }
}
