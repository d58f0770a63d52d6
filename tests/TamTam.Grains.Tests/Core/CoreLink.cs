using Microsoft.Extensions.Time.Testing;
using TamTam.Grains.Links;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Core;

/// <summary>
/// A link's orchestration core on its own — no silo, no log, a fake clock: records the core returns count as
/// durable at once (each gets the next LSN), as the grain shell makes them after its commit.
/// </summary>
internal sealed class CoreLink
{
    private long _nextLsn = 1;

    public CoreLink(OrchestratorOptions? options = null, string link = "core")
    {
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        Core = new LinkOrchestrator(new LinkLedger(link), options ?? new OrchestratorOptions(), Clock);
    }

    public FakeTimeProvider Clock { get; }

    public LinkOrchestrator Core { get; }

    public long Now => Core.NowUs();

    /// <summary>Joins <paramref name="node"/> online (a new session each call) and makes the join durable.</summary>
    public NodeState Join(string node)
    {
        Assert.Null(Core.Join(new NodeAttachment(node, Guid.NewGuid(), new SilentObserver()), out NodeState state, out _, out _));
        return state;
    }

    public void Bind(string node, string port, PortMode mode = PortMode.Unicast) =>
        Assert.Null(Core.Bind(node, new PortBinding(port, mode, false), out _));

    public SendOutcome Send(string from, string port, uint ttlMs = 0, Guid? id = null, byte[]? payload = null) =>
        SendBatch(from, [new SendCommand(id ?? Guid.NewGuid(), port, false, ttlMs, payload ?? [1, 2, 3])])[0];

    /// <summary>One SEND batch from <paramref name="from"/>; what it accepted counts as durable at once.</summary>
    public SendOutcome[] SendBatch(string from, SendCommand[] batch)
    {
        var records = new List<LinkRecord>();
        var created = new List<PendingMessage>();
        SendOutcome[] outcomes = Core.Send(new MessageSource(Core.Link, from), batch, Now, records, created, out _);
        foreach (PendingMessage message in created)
        {
            message.Lsn = _nextLsn++;
        }

        return outcomes;
    }

    /// <summary>What is due for <paramref name="node"/>, pushed and written to its connection now (the ack timeout starts).</summary>
    public Delivery[] Deliver(NodeState node)
    {
        if (Core.TakeDue(node, Now, out _) is not { } due)
        {
            return [];
        }

        Core.Pushed(due.Deliveries, due.Sent, Now);
        return due.Deliveries;
    }

    public (ErrorCode[] Results, List<MessageFinalized> Finalized) Answer(string node, params AckCommand[] batch)
    {
        var results = new ErrorCode[batch.Length];
        var finalized = new List<MessageFinalized>();
        Core.Acknowledge(node, batch, Now, results, finalized);
        return (results, finalized);
    }

    public (List<LinkRecord> Records, List<MessageFinalized> Finalized) Tick()
    {
        var records = new List<LinkRecord>();
        var finalized = new List<MessageFinalized>();
        Core.Tick(Now, records, finalized);
        foreach (MessageFinalized final in finalized)
        {
            Core.Ledger.SetFinalizedLsn(final, _nextLsn++);
        }

        return (records, finalized);
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public static AckCommand Ack(Delivery d) => new(d.MessageId, d.Sequence, Nack: false, Requeue: false, 0, null);

    public static AckCommand Nack(Delivery d, bool requeue) => new(d.MessageId, d.Sequence, Nack: true, requeue, 0, null);

    private sealed class SilentObserver : ILinkObserver
    {
        public Task DeliverAsync(Delivery[] deliveries) => Task.CompletedTask;

        public Task StatusAsync(StatusReport[] statuses) => Task.CompletedTask;

        public Task RelinkAsync() => Task.CompletedTask;

        public Task SupersededAsync() => Task.CompletedTask;
    }
}
