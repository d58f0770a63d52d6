using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TamTam.Diagnostics;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// The sending side of parted transfers on one session (docs/protocol.md section 7): a parted SEND starts or
/// resumes an upload, each PART is checked (CRC-32C, size, window) and staged in the payload store, PART_ACK 0
/// is written only once the part is durable, and when the last part is stored the payload is committed, its
/// SHA-256 checked and the message handed to its link as a descriptor. The SEND is answered ACCEPTED then.
/// </summary>
/// <remarks>
/// Staging runs beside the read loop, up to the window per transfer, so a sender's parts are written to the
/// store concurrently (and made durable in groups by the store); each part's bytes are copied once out of the
/// socket buffer into a pooled array, hashed once the part is stored and every part before it is hashed
/// (<see cref="UploadDigest"/>), then returned. Parts being staged and parts waiting to be hashed share the
/// window, so a transfer holds at most window × part size here.
/// </remarks>
internal sealed class TransferIntake
{
    private readonly GatewaySession _session;
    private readonly IGrainFactory _grains;
    private readonly IPayloadStore _store;
    private readonly ILogger _logger;
    private readonly int _window;
    private readonly long _maxBytes;
    private readonly MessageSource _source;
    private readonly ConcurrentDictionary<Guid, InboundTransfer> _uploads = new();

    public TransferIntake(GatewaySession session, IGrainFactory grains, IPayloadStore store, ILogger logger, GatewayOptions options,
        MessageSource source)
    {
        _session = session;
        _grains = grains;
        _store = store;
        _logger = logger;
        _window = options.PartWindow;
        _maxBytes = options.MaxTransferBytes;
        _source = source;
    }

    /// <summary>
    /// A parted SEND. Answered before this returns with an ERROR, an ACCEPTED (already accepted), or a PART_ACK
    /// (result 0) per part the store already holds — so a sender that follows the SEND with a PING knows, when the
    /// PONG arrives, every part it need not send again.
    /// </summary>
    /// <param name="correlation">The SEND's correlation.</param>
    /// <param name="send">The parted SEND.</param>
    /// <param name="source">
    /// Who sends it when not the session's own node: a station's SEND names its link and node (docs/protocol.md section 5.18).
    /// </param>
    public async ValueTask BeginAsync(uint correlation, SendFrame send, MessageSource? source = null)
    {
        MessageSource from = source ?? _source;
        TransferInfo info = send.Transfer!.Value;
        if (info.PartSize != (uint)_session.PartSize)
        {
            await ErrorAsync(correlation, ErrorCode.OutOfRange,
                $"part_size {info.PartSize} is not this session's part size {_session.PartSize} (WELCOME)").ConfigureAwait(false);
            return;
        }

        if (info.TotalSize > (ulong)_maxBytes)
        {
            await ErrorAsync(correlation, ErrorCode.MessageTooLarge, $"{info.TotalSize} bytes exceed this server's transfer limit of {_maxBytes}")
                .ConfigureAwait(false);
            return;
        }

        var descriptor = new TransferDescriptor((long)info.TotalSize, (int)info.PartSize, (int)info.PartCount, info.Sha256.ToArray());
        string link = send.DestLink.IsEmpty ? from.Link : send.DestLink.ToString();
        var request = new TransferRequest(from, link, send.DestPort.ToString(), send.Subtree, send.TtlMs, descriptor,
            send.Reply is { } reply ? ReplyRoutes.From(reply, from.Link) : null);
        ITransferGrain grain = _grains.GetGrain<ITransferGrain>(send.MessageId);
        TransferStart start;
        IReadOnlyList<int> held = [];
        SendOutcome route = default;
        try
        {
            // A transfer or a link that lived on a silo that just died is waited for (a resumed upload comes right then),
            // rather than refused with 501 and sent again later.
            start = await ClusterFailure.RetryOnSiloLossAsync(() => grain.BeginAsync(request), ClusterFailure.Wait, _session.Closing)
                .ConfigureAwait(false);
            if (start.Phase == TransferPhase.Staging)
            {
                // Before any byte is sent: a message its link would refuse (no route, full inbox) is refused now,
                // with the code it would get at the end. The link checks again when the upload is complete.
                ILinkGrain destination = _grains.GetGrain<ILinkGrain>(link);
                route = await ClusterFailure.RetryOnSiloLossAsync(() => destination.CheckRouteAsync(from, request.Port, request.Subtree),
                    ClusterFailure.Wait, _session.Closing).ConfigureAwait(false);
                if (route.Code is not (ErrorCode.None or ErrorCode.Unavailable))
                {
                    await grain.DiscardAsync(route.Code).ConfigureAwait(false);
                }
                else if (route.Accepted)
                {
                    held = await _store.GetStagedPartsAsync(send.MessageId, _session.Closing).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            TransferGatewayLog.Failed(_logger, exception, send.MessageId, _session.ConnectionId, "the transfer could not start");
            await ErrorAsync(correlation, ErrorCode.Unavailable, "the transfer could not start; send the SEND again").ConfigureAwait(false);
            return;
        }

        if (start.Refusal != ErrorCode.None)
        {
            await ErrorAsync(correlation, start.Refusal, start.Detail ?? start.Refusal.ToString()).ConfigureAwait(false);
            return;
        }

        if (!route.Accepted)
        {
            await ErrorAsync(correlation, route.Code, route.Detail ?? route.Code.ToString()).ConfigureAwait(false);
            return;
        }

        if (start.Phase is TransferPhase.Accepted or TransferPhase.Finished)
        {
            await _session.Output.WriteAsync(new AcceptedFrame(send.MessageId, start.Sequence, start.AcceptedAtUs, Duplicate: true), correlation,
                _session.Closing).ConfigureAwait(false);
            return;
        }

        var upload = new InboundTransfer(send.MessageId, correlation, request, grain,
            new ProgressReporter(indexes => grain.PartsStagedAsync(indexes), _logger, send.MessageId), _window)
        {
            TraceParent = send.Trace?.ToString(),
        };
        if (_uploads.TryGetValue(send.MessageId, out InboundTransfer? replaced))
        {
            replaced.Dispose();
        }

        _uploads[send.MessageId] = upload;
        if (start.Phase == TransferPhase.Committed)
        {
            held = [.. Enumerable.Range(0, upload.Layout.PartCount)];
        }

        foreach (int index in held)
        {
            if (index < upload.Layout.PartCount)
            {
                upload.MarkHeld(index);
            }
        }

        if (held.Count > 0)
        {
            // Their bytes are in the store, not here: the digest reads them back at the end.
            upload.Digest.StopFromMemory();
            TransferGatewayLog.Resumed(_logger, send.MessageId, _session.ConnectionId, held.Count, upload.Layout.PartCount);
        }

        // Correlation 0 (section 7): these answer no PART, and the SEND's own answer (ACCEPTED or ERROR) is still to come
        // under its correlation.
        foreach (int index in held)
        {
            await _session.Output.WriteAsync(new PartAckFrame(send.MessageId, (uint)index, ErrorCode.None), 0, _session.Closing)
                .ConfigureAwait(false);
        }

        if (upload.AllHeld)
        {
            BackgroundWork.Run(FinishAsync(upload, committed: start.Phase == TransferPhase.Committed), "finish an upload", _logger);
        }
    }

    /// <summary>One PART from the sender: refused at once (PART_ACK with an error), acknowledged if held, or staged.</summary>
    public async ValueTask OnPartAsync(Frame frame)
    {
        PartFrame part = frame.Decode<PartFrame>();
        uint correlation = frame.Correlation;
        if (!_uploads.TryGetValue(part.TransferId, out InboundTransfer? upload))
        {
            await PartAckAsync(part.TransferId, part.Index, ErrorCode.UnknownTransfer, correlation).ConfigureAwait(false);
            return;
        }

        int index = (int)part.Index;
        if (part.Count != (uint)upload.Layout.PartCount)
        {
            await PartAckAsync(part.TransferId, part.Index, ErrorCode.OutOfRange, correlation).ConfigureAwait(false);
            return;
        }

        int size = upload.Layout.SizeOfPart(index);
        if (part.Payload.Length != size)
        {
            await PartAckAsync(part.TransferId, part.Index, ErrorCode.BadLength, correlation).ConfigureAwait(false);
            return;
        }

        if (Crc32C.Compute(part.Payload) != part.Crc32C)
        {
            await PartAckAsync(part.TransferId, part.Index, ErrorCode.BadChecksum, correlation).ConfigureAwait(false);
            return;
        }

        switch (upload.Admit(index, _window))
        {
            case PartAdmission.Held:
                await PartAckAsync(part.TransferId, part.Index, ErrorCode.None, correlation).ConfigureAwait(false);
                return;
            case PartAdmission.Staging:
                // The copy being staged answers for this one.
                return;
            case PartAdmission.WindowFull:
                await PartAckAsync(part.TransferId, part.Index, ErrorCode.WindowFull, correlation).ConfigureAwait(false);
                return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        part.Payload.CopyTo(buffer);
        BackgroundWork.Run(StageAsync(upload, index, buffer, size, part.Crc32C, correlation), "stage a part", _logger);
    }

    private async Task StageAsync(InboundTransfer upload, int index, byte[] buffer, int size, uint crc32C, uint correlation)
    {
        ErrorCode result = ErrorCode.None;
        try
        {
            // Not cancelled by the session's end: a part being written is finished, and held for a resumption.
            await _store.StagePartAsync(upload.Id, index, buffer.AsMemory(0, size), crc32C, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            TransferGatewayLog.Failed(_logger, exception, upload.Id, _session.ConnectionId, $"part {index} could not be stored");
            result = ErrorCode.Unavailable;
        }

        if (result == ErrorCode.None)
        {
            // The digest owns the buffer from here: hashed now, or kept until the parts before it are.
            upload.Digest.Add(index, buffer, size);
            upload.MarkHeld(index);
            upload.Progress.Add(index);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        upload.Staged(index);

        try
        {
            await PartAckAsync(upload.Id, (uint)index, result, correlation).ConfigureAwait(false);
            await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session ended: the part is stored, and a resumed SEND acknowledges it.
        }

        if (result == ErrorCode.None && upload.AllHeld)
        {
            await FinishAsync(upload, committed: false).ConfigureAwait(false);
        }
    }

    /// <summary>Every part is stored: commit, verify the SHA-256, then hand the descriptor to the link and answer the SEND.</summary>
    private async Task FinishAsync(InboundTransfer upload, bool committed)
    {
        if (!upload.TryStartFinishing())
        {
            return;
        }

        CancellationToken closing = _session.Closing;
        try
        {
            await upload.Progress.FlushAsync().ConfigureAwait(false);
            if (!committed)
            {
                await _store.CommitAsync(upload.Id, upload.Layout, closing).ConfigureAwait(false);
                byte[] digest = await upload.Digest.FinishAsync(_store, upload.Id, upload.Layout.TotalSize, closing).ConfigureAwait(false);
                if (!digest.AsSpan().SequenceEqual(upload.Request.Descriptor.Sha256))
                {
                    TransferGatewayLog.DigestMismatch(_logger, upload.Id);
                    await upload.Grain.DiscardAsync(ErrorCode.BadDigest).ConfigureAwait(false);
                    Forget(upload);
                    await ErrorAsync(upload.Correlation, ErrorCode.BadDigest,
                        $"the SHA-256 of the {upload.Layout.TotalSize} bytes received does not match the SEND's; the upload is discarded, send it again")
                        .ConfigureAwait(false);
                    return;
                }

                await upload.Grain.CommittedAsync().ConfigureAwait(false);
            }

            long sending = Stopwatch.GetTimestamp();
            SendCommand command = upload.Command;
            SendOutcome[] outcomes = await _grains.GetGrain<ILinkGrain>(upload.Request.DestinationLink)
                .SendAsync(upload.Request.Source, [command]).ConfigureAwait(false);
            SendOutcome outcome = outcomes[0];
            _session.Messages.Answered(command, upload.Request.DestinationLink, outcome, sending);
            TransferTracing.Uploaded(upload.Id, upload.Layout.TotalSize, upload.Layout.PartCount, upload.TraceParent, upload.StartedAt, (int)outcome.Code);
            Forget(upload);
            if (outcome.Accepted)
            {
                await upload.Grain.AcceptedAsync(outcome.Sequence, outcome.AcceptedAtUs).ConfigureAwait(false);
                await _session.Output.WriteAsync(new AcceptedFrame(upload.Id, outcome.Sequence, outcome.AcceptedAtUs, outcome.Duplicate),
                    upload.Correlation, closing).ConfigureAwait(false);
                await _session.Output.FlushAsync(closing).ConfigureAwait(false);
                return;
            }

            if (outcome.Code != ErrorCode.Unavailable)
            {
                // Refused for good (no route, quota, too large): nothing will take these bytes.
                await upload.Grain.DiscardAsync(outcome.Code).ConfigureAwait(false);
            }

            await ErrorAsync(upload.Correlation, outcome.Code, outcome.Detail ?? outcome.Code.ToString()).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session ended; the sender's next SEND of this id resumes from what is durable.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Forget(upload);
            TransferGatewayLog.Failed(_logger, exception, upload.Id, _session.ConnectionId, "the upload could not be completed");
            await TryErrorAsync(upload.Correlation, ErrorCode.Unavailable, "the upload could not be completed; send the SEND again to resume")
                .ConfigureAwait(false);
        }
    }

    private void Forget(InboundTransfer upload)
    {
        if (_uploads.TryRemove(new KeyValuePair<Guid, InboundTransfer>(upload.Id, upload)))
        {
            upload.Dispose();
        }
    }

    private ValueTask PartAckAsync(Guid transferId, uint index, ErrorCode result, uint correlation) =>
        _session.Output.WriteAsync(new PartAckFrame(transferId, index, result), correlation, _session.Closing);

    private async ValueTask ErrorAsync(uint correlation, ErrorCode code, string detail)
    {
        await _session.Output.WriteErrorAsync(code, detail, fatal: false, correlation, _session.Closing).ConfigureAwait(false);
        await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
    }

    private async ValueTask TryErrorAsync(uint correlation, ErrorCode code, string detail)
    {
        try
        {
            await ErrorAsync(correlation, code, detail).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session is gone; so is whoever would read the answer.
        }
    }
}
