using System.Collections.Concurrent;
using System.Threading.Channels;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// A node of a link as a gateway session drives it: joins with an observer per session, binds, sends,
/// answers deliveries and confirms statuses through the real <see cref="ILinkGrain"/>. When the link's
/// activation goes away it joins again, as the gateway does on <c>RelinkAsync</c>.
/// </summary>
public sealed class TestNode
{
    private readonly IClusterClient _client;
    private readonly Channel<OperationResult> _rejoins = Channel.CreateUnbounded<OperationResult>();
    private readonly ConcurrentQueue<(Guid Session, Delivery Delivery)> _history = new();
    private RecordingObserver? _observer;
    private ILinkObserver? _reference;

    public TestNode(IClusterClient client, string link, string name)
    {
        _client = client;
        Link = link;
        Name = name;
        Grain = client.GetGrain<ILinkGrain>(link);
    }

    public string Link { get; }

    public string Name { get; }

    public ILinkGrain Grain { get; }

    public Guid SessionId { get; private set; }

    /// <summary>Join again when the link's activation says it is going away (the gateway's behaviour).</summary>
    public bool RejoinOnRelink { get; set; } = true;

    /// <summary>Fail the link's relink call as a call cancelled by a stopping silo fails.</summary>
    public bool FailRelink { get; set; }

    /// <summary>Raised after every push (deliveries or statuses) to any session of this node.</summary>
    public event Action? Pushed;

    /// <summary>Every delivery pushed to this node, in any of its sessions, in arrival order.</summary>
    public IReadOnlyCollection<(Guid Session, Delivery Delivery)> History => _history;

    public MessageSource Source => new(Link, Name);

    /// <summary>JOIN in a new session (new observer), or again in the current one.</summary>
    public Task<OperationResult> TryJoinAsync(bool newSession = true)
    {
        if (newSession || _observer is null)
        {
            StartSession();
        }

        return Grain.JoinAsync(new NodeAttachment(Name, SessionId, _reference!));
    }

    /// <summary>
    /// JOIN from a new connection as part of protocol session <paramref name="session"/>, whose name the link keeps
    /// for <paramref name="sessionTimeout"/> after a disconnect; <paramref name="resume"/> as a verified resume token does.
    /// </summary>
    /// <param name="keepPreviousConnection">The previous connection stays reachable, as one still open at its gateway is.</param>
    public Task<OperationResult> TryJoinAsync(Guid session, TimeSpan sessionTimeout, bool resume, bool keepPreviousConnection = false)
    {
        if (keepPreviousConnection)
        {
            _reference = null;
        }

        StartSession();
        return Grain.JoinAsync(new NodeAttachment(Name, SessionId, _reference!, session, sessionTimeout, resume));
    }

    public async Task JoinAsync(bool newSession = true)
    {
        OperationResult result = await TryJoinAsync(newSession);
        Assert.True(result.Succeeded, $"{Name} could not join {Link}: {result.Code} {result.Detail}");
    }

    /// <summary>The session ends without LEAVE, like a dropped connection.</summary>
    public async Task DetachAsync()
    {
        await Grain.DetachAsync(Name, SessionId);
        EndSession();
    }

    public async Task LeaveAsync()
    {
        OperationResult result = await Grain.LeaveAsync(Name, SessionId);
        Assert.True(result.Succeeded, $"{Name} could not leave {Link}: {result.Code} {result.Detail}");
        EndSession();
    }

    public async Task BindAsync(string port, PortMode mode, bool subtree = false)
    {
        OperationResult result = await Grain.BindAsync(Name, SessionId, new PortBinding(port, mode, subtree));
        Assert.True(result.Succeeded, $"{Name} could not bind {port}: {result.Code} {result.Detail}");
    }

    public async Task<SendOutcome> SendAsync(string port, byte[]? payload = null, uint ttlMs = 0, bool subtree = false, Guid? id = null, string? toLink = null)
    {
        SendOutcome[] outcomes = await SendBatchAsync([new SendCommand(id ?? Guid.NewGuid(), port, subtree, ttlMs, payload ?? [1, 2, 3])], toLink);
        return outcomes[0];
    }

    public Task<SendOutcome[]> SendBatchAsync(SendCommand[] batch, string? toLink = null) =>
        (toLink is null ? Grain : _client.GetGrain<ILinkGrain>(toLink)).SendAsync(Source, batch);

    /// <summary>The next delivery of the current session.</summary>
    public Task<Delivery> ReceiveAsync(TimeSpan? timeout = null) =>
        Current.Deliveries.ReadAsync().AsTask().Within($"a delivery to {Name} in {Link}", timeout);

    public bool TryReceive(out Delivery delivery)
    {
        if (_observer is { } observer && observer.Deliveries.TryRead(out Delivery? d))
        {
            delivery = d;
            return true;
        }

        delivery = null!;
        return false;
    }

    /// <summary>The next status pushed to the current session.</summary>
    public Task<StatusReport> NextStatusAsync(TimeSpan? timeout = null) =>
        Current.Statuses.ReadAsync().AsTask().Within($"a status for {Name} in {Link}", timeout);

    public bool TryNextStatus(out StatusReport status)
    {
        if (_observer is { } observer && observer.Statuses.TryRead(out StatusReport? s))
        {
            status = s;
            return true;
        }

        status = null!;
        return false;
    }

    public async Task<ErrorCode> AckAsync(Delivery delivery) => (await AnswerAsync([Ack(delivery)]))[0];

    public async Task<ErrorCode> NackAsync(Delivery delivery, bool requeue) => (await AnswerAsync([Nack(delivery, requeue)]))[0];

    public Task<ErrorCode[]> AnswerAsync(AckCommand[] batch) => Grain.AcknowledgeAsync(Name, SessionId, batch);

    public Task<ErrorCode[]> ConfirmAsync(params Guid[] messageIds) => Grain.ConfirmStatusAsync(Name, messageIds);

    /// <summary>From now on the current session records pushes but never answers them, until <paramref name="release"/> completes.</summary>
    public void StallPushes(Task release) => Current.Stall = release;

    /// <summary>The current session fails the next delivery push (and answers later ones).</summary>
    public void FailNextDelivery() => Current.FailNextDelivery = true;

    /// <summary>Waits for the join that followed the link's last relink.</summary>
    public Task<OperationResult> NextRejoinAsync() => _rejoins.Reader.ReadAsync().AsTask().Within($"{Name} to rejoin {Link}");

    public static AckCommand Ack(Delivery d) => new(d.MessageId, d.Sequence, Nack: false, Requeue: false, 0, null);

    public static AckCommand Nack(Delivery d, bool requeue) => new(d.MessageId, d.Sequence, Nack: true, requeue, 7, "test");

    /// <summary>The current session's observer: what the link pushed to it and told it.</summary>
    internal RecordingObserver Observer => Current;

    private RecordingObserver Current => _observer ?? throw new InvalidOperationException($"{Name} has no session");

    private void StartSession()
    {
        EndSession();
        SessionId = Guid.NewGuid();
        _observer = new RecordingObserver(SessionId, (session, delivery) => _history.Enqueue((session, delivery)), () => Pushed?.Invoke(), OnRelink);
        _reference = _client.CreateObjectReference<ILinkObserver>(_observer);
    }

    private void EndSession()
    {
        if (_reference is not null)
        {
            _client.DeleteObjectReference<ILinkObserver>(_reference);
        }

        _reference = null;
        _observer = null;
    }

    private void OnRelink()
    {
        if (FailRelink)
        {
            throw new OperationCanceledException($"{Name} does not take the relink");
        }

        if (RejoinOnRelink)
        {
            _ = Task.Run(RejoinAsync);
        }
    }

    private async Task RejoinAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _rejoins.Writer.TryWrite(await TryJoinAsync(newSession: false));
                return;
            }
            catch (Exception e) when (attempt < 10 && e is not OperationCanceledException)
            {
                // The next activation may still be starting (or its silo dying): try again.
                await Task.Delay(100 * attempt);
            }
            catch (Exception e)
            {
                _rejoins.Writer.TryWrite(OperationResult.Fail(ErrorCode.Unavailable, e.Message));
                return;
            }
        }
    }
}
