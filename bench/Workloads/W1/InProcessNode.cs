using System.Threading.Channels;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W1;

/// <summary>
/// A node attached to its link from inside the silo, without a gateway: the link pushes deliveries and
/// statuses to this observer, which answers them as a gateway session does for its client, in batches — one
/// <see cref="ILinkGrain.AcknowledgeAsync"/> for the ACKs that piled up meanwhile, one
/// <see cref="ILinkGrain.ConfirmStatusAsync"/> for the statuses.
/// </summary>
internal sealed class InProcessNode : ILinkObserver, IAsyncDisposable
{
    private const int MaxBatch = 4_096;

    private readonly IGrainFactory _grains;
    private readonly ILinkGrain _link;
    private readonly Action<StatusReport>? _onStatus;
    private readonly Channel<AckCommand> _acks = Channel.CreateUnbounded<AckCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Guid> _confirmations = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _ackPump;
    private readonly Task _confirmPump;
    private ILinkObserver? _reference;

    public InProcessNode(IGrainFactory grains, string link, string node, Action<StatusReport>? onStatus = null)
    {
        _grains = grains;
        _link = grains.GetGrain<ILinkGrain>(link);
        Node = node;
        _onStatus = onStatus;
        _ackPump = PumpAcksAsync();
        _confirmPump = PumpConfirmationsAsync();
    }

    public string Node { get; }

    public Guid SessionId { get; } = Guid.CreateVersion7();

    public ILinkGrain Link => _link;

    /// <summary>The first ACK or STATUS_ACK the link refused, if any.</summary>
    public string? Failure { get; private set; }

    public async Task JoinAsync()
    {
        _reference = _grains.CreateObjectReference<ILinkObserver>(this);
        Check(await _link.JoinAsync(new NodeAttachment(Node, SessionId, _reference)), "JOIN");
    }

    public async Task BindAsync(string port) =>
        Check(await _link.BindAsync(Node, SessionId, new PortBinding(port, PortMode.Unicast, Subtree: false)), "BIND");

    public Task DeliverAsync(Delivery[] deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        foreach (Delivery delivery in deliveries)
        {
            _acks.Writer.TryWrite(new AckCommand(delivery.MessageId, delivery.Sequence, Nack: false, Requeue: false, 0, null));
        }

        return Task.CompletedTask;
    }

    public Task StatusAsync(StatusReport[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        foreach (StatusReport status in statuses)
        {
            _onStatus?.Invoke(status);
            _confirmations.Writer.TryWrite(status.MessageId);
        }

        return Task.CompletedTask;
    }

    public Task RelinkAsync() => Task.CompletedTask;

    public Task SupersededAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _acks.Writer.TryComplete();
        _confirmations.Writer.TryComplete();
        await Task.WhenAll(_ackPump, _confirmPump);
        await _link.DetachAsync(Node, SessionId);
        if (_reference is not null)
        {
            _grains.DeleteObjectReference<ILinkObserver>(_reference);
        }
    }

    private async Task PumpAcksAsync()
    {
        var batch = new List<AckCommand>();
        while (await _acks.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _acks.Reader.TryRead(out AckCommand ack))
            {
                batch.Add(ack);
            }

            ErrorCode[] results = await _link.AcknowledgeAsync(Node, SessionId, [.. batch]);
            int refused = Array.FindIndex(results, r => r != ErrorCode.None);
            if (refused >= 0)
            {
                Failure ??= $"ACK refused: {results[refused]}";
            }

            batch.Clear();
        }
    }

    private async Task PumpConfirmationsAsync()
    {
        var batch = new List<Guid>();
        while (await _confirmations.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _confirmations.Reader.TryRead(out Guid id))
            {
                batch.Add(id);
            }

            await _link.ConfirmStatusAsync(Node, [.. batch]);
            batch.Clear();
        }
    }

    private void Check(OperationResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} of node \"{Node}\" refused: {result.Code} {result.Detail}");
        }
    }
}
