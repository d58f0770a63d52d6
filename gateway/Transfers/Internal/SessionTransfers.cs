using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using TamTam.Diagnostics;
using TamTam.Gateway.Sessions;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// A joined (or station) session's parted transfers, both ways: uploads from its node (or its station's nodes) (<see cref="TransferIntake"/>) and
/// parted deliveries streamed to it (<see cref="OutboundTransfer"/>, one per message id).
/// </summary>
internal sealed class SessionTransfers
{
    private readonly GatewaySession _session;
    private readonly IGrainFactory _grains;
    private readonly IPayloadStore _store;
    private readonly ILogger _logger;
    private readonly int _window;
    private readonly string _node;
    private readonly TransferIntake _intake;
    private readonly ConcurrentDictionary<Guid, OutboundTransfer> _outbound = new();

    public SessionTransfers(GatewaySession session, IGrainFactory grains, IPayloadStore store, ILogger logger, GatewayOptions options,
        string link, string node)
    {
        _session = session;
        _grains = grains;
        _store = store;
        _logger = logger;
        _window = options.PartWindow;
        _node = node;
        _intake = new TransferIntake(session, grains, store, logger, options, new MessageSource(link, node));
    }

    public ValueTask BeginAsync(uint correlation, in SendFrame send) => _intake.BeginAsync(correlation, send);

    /// <summary>A parted SEND on behalf of <paramref name="source"/>: a station's SEND with <c>STATION</c>.</summary>
    public ValueTask BeginAsync(uint correlation, in SendFrame send, MessageSource source) => _intake.BeginAsync(correlation, send, source);

    public ValueTask OnPartAsync(in Frame frame) => _intake.OnPartAsync(frame);

    public void OnPartAck(in PartAckFrame ack)
    {
        if (_outbound.TryGetValue(ack.TransferId, out OutboundTransfer? transfer))
        {
            transfer.OnPartAck(ack);
            if (transfer.IsComplete && _outbound.TryRemove(new KeyValuePair<Guid, OutboundTransfer>(ack.TransferId, transfer)))
            {
                transfer.Dispose();
            }
        }
    }

    /// <summary>Completes once the parts this session's node confirmed so far are recorded (or failed to be).</summary>
    public Task FlushProgressAsync()
    {
        var flushes = new List<Task>();
        foreach (OutboundTransfer transfer in _outbound.Values)
        {
            flushes.Add(transfer.FlushProgressAsync());
        }

        return Task.WhenAll(flushes);
    }

    /// <summary>The DELIVER's transfer fields for this session: the payload cut in the session's part size.</summary>
    public TransferInfo InfoFor(TransferDescriptor descriptor)
    {
        PayloadLayout layout = PayloadLayout.For(descriptor.TotalSize, _session.PartSize);
        return new TransferInfo((ulong)layout.TotalSize, (uint)layout.PartSize, (uint)layout.PartCount, descriptor.Sha256);
    }

    /// <summary>
    /// The DELIVER's transfer fields for an inline payload too large for one frame to this session's node: the
    /// payload cut in the session's part size, with its SHA-256.
    /// </summary>
    public TransferInfo InlineInfoFor(byte[] payload)
    {
        PayloadLayout layout = PayloadLayout.For(payload.Length, _session.PartSize);
        return new TransferInfo((ulong)layout.TotalSize, (uint)layout.PartSize, (uint)layout.PartCount, SHA256.HashData(payload));
    }

    /// <summary>
    /// Starts streaming an inline payload as parts (<see cref="InlineInfoFor"/>), from the delivery's own bytes. The
    /// node's confirmations are not recorded: a redelivery streams every part again.
    /// </summary>
    public void StartInlineOutbound(Delivery delivery)
    {
        PayloadLayout layout = PayloadLayout.For(delivery.Payload.Length, _session.PartSize);
        Start(OutboundTransfer.Inline(_session, delivery.Payload, _logger, _node, delivery.MessageId, layout, _window));
    }

    /// <summary>
    /// Starts streaming the parts of a parted delivery just written; a redelivery of the same message replaces the
    /// stream it had (the node confirmed what it confirmed: only the rest is sent).
    /// </summary>
    public void StartOutbound(Delivery delivery)
    {
        PayloadLayout layout = PayloadLayout.For(delivery.Transfer!.TotalSize, _session.PartSize);
        Start(OutboundTransfer.Stored(_session, _store, _grains.GetGrain<ITransferGrain>(delivery.MessageId), _logger, _node,
            delivery.MessageId, layout, _window));
    }

    private void Start(OutboundTransfer transfer)
    {
        OutboundTransfer? previous = null;
        _outbound.AddOrUpdate(transfer.Id, transfer, (_, old) =>
        {
            previous = old;
            return transfer;
        });
        previous?.Dispose();
        BackgroundWork.Run(RunOutboundAsync(transfer), "stream a parted delivery", _logger);
    }

    private static async Task RunOutboundAsync(OutboundTransfer transfer)
    {
        await Task.Yield();
        await transfer.RunAsync().ConfigureAwait(false);
    }
}
