using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using TamTam.Diagnostics;
using TamTam.Grains.Interchange;
using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;

namespace TamTam.Grains.Links;

/// <summary>
/// A link's orchestrator: the grain shell around <see cref="LinkOrchestrator"/>, which decides (accept, route,
/// settle, retry, expire, dispatch) and changes state only through the <see cref="LinkLedger"/>. The shell
/// activates (replaying the log <c>links/&lt;name&gt;</c> into the ledger), runs the timers, makes each decision's
/// records durable through a group committer (<c>LinkGrain.Commits.cs</c>), and only then acts on it: answers,
/// deliveries and statuses through per-node push chains (<c>LinkGrain.Pushes.cs</c>), calls to other grains.
/// </summary>
/// <remarks>
/// Reentrant on purpose: while one batch waits for its fsync, other calls run and queue their records for
/// the next write, which is what makes group commit work across sessions. Correctness under interleaving
/// rests on two rules: ledger changes happen only between awaits (each core call runs whole between two), and
/// nothing leaves the grain before the records behind it are durable. If a write fails, the ledger holds changes
/// the log does not: the activation refuses every call with 501 at once, without touching the ledger, and probes
/// its storage on a backoff (<see cref="ProbeStorageAsync"/>); once a probe write succeeds it deactivates, and the
/// next activation replays the log, which holds exactly what was made durable: one replay per outage, not one per
/// refused call.
/// </remarks>
[Reentrant]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The committer and log are disposed in OnDeactivateAsync, the grain's end of life.")]
public sealed partial class LinkGrain : Grain, ILinkGrain
{
    private readonly OrchestratorOptions _options;
    private readonly StorageMetrics _storageMetrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<LinkGrain> _logger;
    private readonly TimeProvider _time;
    private readonly InterchangeOptions _interchange;
    private readonly InterchangeMetrics? _interchangeMetrics;
    private readonly WarmUpLinks? _warmUpLinks;
    private readonly Dictionary<string, (Guid Session, Task Tail)> _pushChains = new(StringComparer.Ordinal);

    // The encoding buffer of CommitOrZeroAsync (used between awaits only); one that grew past this is dropped.
    private const int ScratchKeptBytes = 1 << 20;
    private const int StackEnds = 256;
    private ArrayBufferWriter<byte> _scratch = new(16 * 1024);

    private LinkOrchestrator _core = null!;

    // The interchange's store, or for a warm-up link of this silo its own (chosen at activation).
    private ISegmentLogStore _logs;
    private bool _warmUp;
    private ISegmentLog? _log;
    private GroupCommitter? _committer;
    private CheckpointProgress _sinceCheckpoint;

    // The encoded size of the checkpoint last committed.
    private int _checkpointBytes;
    private bool _faulted;
    private IGrainTimer? _probe;
    private TimeSpan _probeDelay;

    public LinkGrain(
        ISegmentLogStore logs,
        IOptions<OrchestratorOptions> options,
        StorageMetrics storageMetrics,
        ILoggerFactory loggers,
        TimeProvider? time = null,
        IOptions<InterchangeOptions>? interchange = null,
        InterchangeMetrics? interchangeMetrics = null,
        WarmUpLinks? warmUpLinks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _logs = logs;
        _options = options.Value;
        _storageMetrics = storageMetrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LinkGrain>();
        _time = time ?? TimeProvider.System;
        _interchange = interchange?.Value ?? new InterchangeOptions();
        _interchangeMetrics = interchangeMetrics;
        _warmUpLinks = warmUpLinks;
    }

    private LinkLedger Ledger => _core.Ledger;

    private string Link => _core.Link;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string link = this.GetPrimaryKeyString();
        var ledger = new LinkLedger(link, _options.DuplicateWindow, _options.DuplicateWindowIds);
        _core = new LinkOrchestrator(ledger, _options, _time);
        if (_warmUpLinks is not null)
        {
            _logs = _warmUpLinks.StoreFor(link, _logs, out _warmUp);
        }

        _log = await _logs.OpenAsync("links/" + link, cancellationToken);
        long replayed = 0;
        await foreach (LogRecord entry in _log.ReadAsync(_log.FirstLsn, cancellationToken))
        {
            ledger.Apply(LinkRecordCodec.Decode(entry.Data.Span), entry.Lsn);
            replayed++;
        }

        _core.Restarted();
        ResumeRoaming();
        _sinceCheckpoint = new CheckpointProgress(0, 0, replayed, 0);
        _committer = new GroupCommitter(_log, new GroupCommitterOptions(), _storageMetrics, _loggers.CreateLogger<GroupCommitter>());
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(_options.TimerPeriod, _options.TimerPeriod) { Interleave = true });
        LinkLog.Activated(_logger, link, replayed, ledger.Messages.Count, ledger.NextSequence());
        ReportToRegistry(active: true);
    }

    /// <summary>The most a deactivation waits for relinks when the silo stops (<see cref="OrchestratorOptions.RelinkTimeout"/> otherwise).</summary>
    internal static readonly TimeSpan ShutdownRelinkWait = TimeSpan.FromMilliseconds(500);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            // Every connected node is told at once, and the activation waits for them only so long: a session
            // that does not answer must not hold the link's log (and so the link) off every other silo.
            var relinks = new List<Task>();
            foreach (NodeState node in Ledger.Nodes.Values)
            {
                if (node.Observer is { } observer)
                {
                    relinks.Add(TellToRelinkAsync(node.Name, observer));
                }
            }

            // When the silo stops, the nodes of its own gateway were drained (their sessions closed, and a call to one
            // is never answered), and the gateways of the other silos have every session join its link again once this
            // silo is declared dead: the link's clients, resuming elsewhere, must not wait for those answers.
            TimeSpan wait = reason.ReasonCode == DeactivationReasonCode.ShuttingDown && _options.RelinkTimeout > ShutdownRelinkWait
                ? ShutdownRelinkWait
                : _options.RelinkTimeout;
            await Task.WhenAll(relinks).WaitAsync(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            // A stopping silo cannot place the registry any more; a LINKS query finds the link gone by asking it.
            if (Ledger.Exists && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
            {
                await ReportToRegistryAsync(_core.Summary(), active: false);
            }

            if (_committer is not null)
            {
                await _committer.DisposeAsync();
            }

            if (_log is not null)
            {
                await _log.DisposeAsync();
            }

            if (_archive is not null)
            {
                await _archive.DisposeAsync();
            }

            if (_warmUp)
            {
                _warmUpLinks!.Closed(Link);
            }
        }
    }

    public async Task<OperationResult> JoinAsync(NodeAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (_faulted)
        {
            return Unavailable();
        }

        if (_core.StationRegistered && _core.RoamingOnline)
        {
            return OperationResult.Fail(ErrorCode.NameTaken, $"link \"{Link}\" is hosted by station \"{_core.Station}\"");
        }

        // The same connection joining again (after a silo of the cluster died, its gateway asks every session to): its
        // held statuses went to it already and wait for its confirmation; only the inbox is looked at again.
        bool sameConnection = Ledger.Nodes.TryGetValue(attachment.Node, out NodeState? before) && before.IsOnline
            && before.SessionId == attachment.SessionId;
        if (_core.Join(attachment, out NodeState node, out NodeJoined? joined, out ILinkObserver? superseded) is { } refusal)
        {
            return refusal;
        }

        if (joined is not null)
        {
            if (!await TryCommitAsync([joined]))
            {
                return Unavailable();
            }

            ReportToRegistry(active: true);
        }

        LinkLog.Joined(_logger, Link, attachment.Node, attachment.SessionId);
        if (!sameConnection)
        {
            PushStatuses(attachment.Node, [.. Ledger.HeldStatusesFor(attachment.Node)]);
        }

        Dispatch(node, _core.NowUs());
        if (superseded is not null)
        {
            // One-way: sent before the resume is answered, without waiting for a connection that may be closing.
            await TellSupersededAsync(attachment.Node, superseded);
        }

        return OperationResult.Ok;
    }

    public Task DetachAsync(string node, Guid sessionId)
    {
        if (Ledger.Nodes.TryGetValue(node, out NodeState? state) && state.IsOnline && state.SessionId == sessionId)
        {
            _core.Detach(state);
        }

        return Task.CompletedTask;
    }

    public Task ReportRoundTripAsync(string node, Guid sessionId, uint rttMicroseconds)
    {
        if (Ledger.Nodes.TryGetValue(node, out NodeState? state) && state.IsOnline && state.SessionId == sessionId)
        {
            state.RoundTripMicroseconds = rttMicroseconds;
        }

        return Task.CompletedTask;
    }

    public Task<bool> HoldsSessionAsync(string node, Guid session) =>
        Task.FromResult(Ledger.Nodes.TryGetValue(node, out NodeState? state) && state.IsMember && state.IsHeldBy(session, _core.NowUs()));

    public Task<LinkSummary> GetSummaryAsync() => Task.FromResult(_core.Summary());

    public async Task<OperationResult> LeaveAsync(string node, Guid sessionId)
    {
        if (_faulted)
        {
            return Unavailable();
        }

        if (!_core.TryGetSession(node, sessionId, out NodeState? state))
        {
            return NotJoined(node);
        }

        long now = _core.NowUs();
        var records = new List<LinkRecord>();
        var finalized = new List<MessageFinalized>();
        HashSet<string> reassigned = _core.Leave(state, now, records, finalized);
        if (!await TryCommitAsync(records))
        {
            return Unavailable();
        }

        LinkLog.Left(_logger, Link, node);
        ReportToRegistry(active: true);
        if (_warmUp && !_core.IsHostedInCloud)
        {
            // The silo's warm-up is over: its link closes its logs now rather than when the silo collects idle grains.
            DeactivateOnIdle();
        }

        AfterFinalized(finalized);
        foreach (string target in reassigned)
        {
            Dispatch(Ledger.Node(target), now);
        }

        return OperationResult.Ok;
    }

    public async Task<OperationResult> BindAsync(string node, Guid sessionId, PortBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (_faulted)
        {
            return Unavailable();
        }

        if (!_core.TryGetSession(node, sessionId, out _))
        {
            return NotJoined(node);
        }

        if (_core.Bind(node, binding, out PortBound? record) is { } refusal)
        {
            return refusal;
        }

        return await TryCommitAsync([record!]) ? OperationResult.Ok : Unavailable();
    }

    public async Task<OperationResult> UnbindAsync(string node, Guid sessionId, string port, bool subtree)
    {
        if (_faulted)
        {
            return Unavailable();
        }

        if (!_core.TryGetSession(node, sessionId, out _))
        {
            return NotJoined(node);
        }

        if (_core.Unbind(node, port, subtree, out PortUnbound? record) is { } refusal)
        {
            return refusal;
        }

        return await TryCommitAsync([record!]) ? OperationResult.Ok : Unavailable();
    }

    public async Task<SendOutcome[]> SendAsync(MessageSource source, SendCommand[] batch)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(batch);
        if (_faulted)
        {
            var refused = new SendOutcome[batch.Length];
            Array.Fill(refused, SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{this.GetPrimaryKeyString()}\" is recovering"));
            return refused;
        }

        if (_core.IsSupersededSender(source))
        {
            var refused = new SendOutcome[batch.Length];
            Array.Fill(refused, SendOutcome.Refused(ErrorCode.SessionTakenOver,
                $"node \"{source.Node}\" of link \"{Link}\" is held by another connection of its session now; this connection ends"));
            return refused;
        }

        // A link nobody joined in the cloud is roaming (docs/protocol.md section 5.18); the local path asks nothing more.
        bool roaming = !_core.IsHostedInCloud && await IsRoamingAsync();
        long now = _core.NowUs();
        var records = new List<LinkRecord>(batch.Length);
        var created = new List<PendingMessage>(batch.Length);
        SendOutcome[] outcomes = _core.Send(source, batch, now, records, created, out List<PendingMessage>? duplicates, roaming);

        // Listed beside the commit, before ACCEPTED: a restart then wakes the link (LinkGrain.RoamingIndex.cs).
        Task listing = roaming && created.Count > 0 && _roamingListed != true ? ListRoamingAsync() : Task.CompletedTask;
        if (records.Count > 0)
        {
            var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (PendingMessage message in created)
            {
                message.Durable = durable.Task;
            }

            long first = await CommitOrZeroAsync(records);
            durable.SetResult();
            if (first == 0)
            {
                return RefuseAll(outcomes);
            }

            for (int k = 0; k < created.Count; k++)
            {
                created[k].Lsn = first + k;
            }
        }

        await listing;

        if (duplicates is not null)
        {
            foreach (PendingMessage original in duplicates)
            {
                await original.Durable;
            }

            if (_faulted)
            {
                return RefuseAll(outcomes);
            }
        }

        // One dispatch per node: the first already sends everything due from its inbox.
        foreach (string node in LinkOrchestrator.RecipientNodes(created))
        {
            Dispatch(Ledger.Node(node), now);
        }

        if (roaming)
        {
            NoteRouteUse(now);
        }

        if (roaming && _core.RoamingWaits)
        {
            BackgroundWork.Run(RouteRoamingAsync(), "route a roaming message", _logger);
        }

        return outcomes;
    }

    public async Task<ErrorCode[]> AcknowledgeAsync(string node, Guid sessionId, AckCommand[] batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new ErrorCode[batch.Length];
        if (_faulted)
        {
            Array.Fill(results, ErrorCode.Unavailable);
            return results;
        }

        if (!_core.TryGetSession(node, sessionId, out NodeState? state))
        {
            Array.Fill(results, ErrorCode.NotJoined);
            return results;
        }

        long now = _core.NowUs();
        var finalized = new List<MessageFinalized>();
        List<Settlement> settlements = _core.Acknowledge(node, batch, now, results, finalized);

        // The window's room goes to the next deliveries now, not once the settlements are durable: those deliveries
        // rest on their own durable acceptances, and a crash before this commit only makes the settled ones due again.
        Dispatch(state, now);
        List<LinkRecord> records = settlements.Count > 0 ? [new RecipientsSettled(node, now, [.. settlements])] : [];
        bool durable = await TryCommitAsync(records);
        _core.ReleaseForwarding(finalized);
        if (!durable)
        {
            Array.Fill(results, ErrorCode.Unavailable);
            return results;
        }

        AfterFinalized(finalized);
        return results;
    }

    public async Task<ErrorCode[]> ConfirmStatusAsync(string node, Guid[] messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var results = new ErrorCode[messageIds.Length];
        if (_faulted)
        {
            Array.Fill(results, ErrorCode.Unavailable);
            return results;
        }

        if (_core.ConfirmStatuses(node, messageIds, results) is { } record && !await TryCommitAsync([record]))
        {
            var unstored = new HashSet<Guid>(record.MessageIds);
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = unstored.Contains(messageIds[i]) ? ErrorCode.Unavailable : results[i];
            }
        }

        return results;
    }

    public async Task ReportStatusAsync(StatusReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (_faulted)
        {
            throw new InvalidOperationException($"link \"{Link}\" is recovering from a storage failure; report the statuses again");
        }

        var records = new List<LinkRecord>();
        List<StatusReport> fresh = _core.HoldStatuses(reports, records);
        long first = await CommitOrZeroAsync(records);
        if (first == 0 && records.Count > 0)
        {
            throw new InvalidOperationException($"link \"{Link}\" could not store the statuses; report them again");
        }

        for (int k = 0; k < fresh.Count; k++)
        {
            Ledger.SetStatusLsn(fresh[k].SenderNode, fresh[k].MessageId, first + k);
        }

        foreach (IGrouping<string, StatusReport> group in fresh.GroupBy(r => r.SenderNode, StringComparer.Ordinal))
        {
            PushStatuses(group.Key, [.. group]);
        }
    }

    public Task<NodeSummary[]> GetNodesAsync() => Task.FromResult(_core.NodeSummaries());

    public Task<PortBinding[]> GetBindingsAsync(string node) => Task.FromResult(_core.BindingsOf(node));

    public Task<PortSummary[]> GetPortsAsync() => Task.FromResult(_core.PortSummaries());

    private OperationResult NotJoined(string node) =>
        OperationResult.Fail(ErrorCode.NotJoined, $"this session is not node \"{node}\" of link \"{Link}\"; join first");

    private OperationResult Unavailable() =>
        OperationResult.Fail(ErrorCode.Unavailable, $"link \"{this.GetPrimaryKeyString()}\" is recovering from a storage failure; retry");

    private SendOutcome[] RefuseAll(SendOutcome[] outcomes)
    {
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Accepted)
            {
                outcomes[i] = SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{Link}\" could not make the message durable; send it again");
            }
        }

        return outcomes;
    }
}
