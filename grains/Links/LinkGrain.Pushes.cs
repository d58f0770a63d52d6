using TamTam.Diagnostics;
using TamTam.Grains.Links.Internal;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Grains.Links;

// What leaves the grain once the records behind it are durable: deliveries and statuses through one push chain
// per node, statuses forwarded to their senders' links, ended transfers to their grains.
public sealed partial class LinkGrain
{
    // ForwardStatusesAsync's rounds.
    private readonly Rounds _forwarding = new();

    /// <summary>Sends a node what is due from its inbox, in link order, up to its window.</summary>
    private void Dispatch(NodeState node, long now)
    {
        if (node.Observer is not { } observer || _faulted
            || _core.TakeDue(node, now, out List<LinkRecord>? attempts) is not { } due)
        {
            return;
        }

        if (attempts is not null)
        {
            // Attempt counts only refine numbering after a restart; the delivery need not wait for them.
            BackgroundWork.Run(CommitInBackgroundAsync(attempts), "commit attempt counts", _logger);
        }

        Chain(node.Name, () => DeliverAsync(observer, due.Deliveries, due.Sent), node.SessionId);
    }

    // The ack timeout runs from when the node has the delivery (the session flushed it to its connection), not
    // from when it was queued: a push may wait behind earlier ones to the same node.
    private async Task DeliverAsync(ILinkObserver observer, Delivery[] deliveries, List<Recipient> sent)
    {
        await observer.DeliverAsync(deliveries);
        _core.Pushed(deliveries, sent, _core.NowUs());
    }

    private void PushStatuses(string node, StatusReport[] statuses)
    {
        if (statuses.Length > 0 && Ledger.Nodes.TryGetValue(node, out NodeState? state) && state.Observer is { } observer)
        {
            Chain(node, () => observer.StatusAsync(statuses), state.SessionId);
        }
        else if (statuses.Length > 0 && Ledger.Nodes.TryGetValue(LinkOrchestrator.RoamingNode, out NodeState? roaming) && roaming.Observer is { } station)
        {
            // A node of a station's link: the station collects the statuses of the messages it sent on the node's behalf.
            Chain(LinkOrchestrator.RoamingNode, () => station.StatusAsync(statuses), roaming.SessionId);
        }
    }

    // Pushes to one session go one after another, so a node sees deliveries in link order. A node's new
    // session starts a chain of its own: a push stuck on the previous one (a dead socket) must not hold it up
    // until the call times out.
    private void Chain(string node, Func<Task> push, Guid sessionId)
    {
        Task previous = _pushChains.TryGetValue(node, out (Guid Session, Task Tail) chain) && chain.Session == sessionId
            ? chain.Tail
            : Task.CompletedTask;
        _pushChains[node] = (sessionId, PushAfterAsync(previous, node, push, sessionId));
    }

    private async Task PushAfterAsync(Task previous, string node, Func<Task> push, Guid sessionId)
    {
        await previous;
        if (!Ledger.Nodes.TryGetValue(node, out NodeState? current) || current.SessionId != sessionId)
        {
            // That session is gone: its deliveries went back to the inbox and its statuses are still held.
            return;
        }

        try
        {
            await push();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
            if (Ledger.Nodes.TryGetValue(node, out NodeState? state) && state.SessionId == sessionId && state.Observer is { } observer)
            {
                _core.Detach(state);

                // A push that timed out may have been lost with its session alive. Left at that, the session
                // would stay connected, believe itself joined and never hear from the link again: tell it to join
                // again (a session that is really gone fails this call too). Other failures mean the session is
                // gone, and relinking after them could spin against a session that fails every push.
                if (e is TimeoutException)
                {
                    BackgroundWork.Run(TellToRelinkAsync(node, observer), "tell a session to join again", _logger);
                }
            }
        }
    }

    /// <summary>Tells a node's earlier connection that its session was resumed elsewhere; a failure only means it is gone already.</summary>
    private async Task TellSupersededAsync(string node, ILinkObserver observer)
    {
        try
        {
            await observer.SupersededAsync();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
        }
    }

    /// <summary>Tells a node's session to join again; a failure only means the session is gone or the silo stopping.</summary>
    private async Task TellToRelinkAsync(string node, ILinkObserver observer)
    {
        try
        {
            await observer.RelinkAsync();
        }
        catch (Exception e)
        {
            LinkLog.ObserverLost(_logger, Link, node, e.Message);
        }
    }

    /// <summary>Statuses of finalized messages go to their senders: here, or through the sender's link.</summary>
    private void AfterFinalized(List<MessageFinalized> finalized)
    {
        if (finalized.Count == 0)
        {
            return;
        }

        List<(string Node, StatusReport[] Reports)> pushes = _core.StatusesBySender(finalized, out bool remote);
        foreach ((string node, StatusReport[] reports) in pushes)
        {
            PushStatuses(node, reports);
        }

        if (remote)
        {
            BackgroundWork.Run(ForwardStatusesAsync(), "forward statuses", _logger);
        }

        (Guid MessageId, FinalState State)[] ended = _core.TakeEndedTransfers();
        if (ended.Length > 0)
        {
            BackgroundWork.Run(EndTransfersAsync(ended), "end transfers", _logger);
        }
    }

    /// <summary>
    /// A parted message's payload is removed by its transfer grain once the message is final. Not awaited: the
    /// status need not wait for the cleanup, and a transfer the call misses removes its payload at its deadline.
    /// </summary>
    private async Task EndTransfersAsync((Guid MessageId, FinalState State)[] ended)
    {
        foreach ((Guid id, FinalState state) in ended)
        {
            try
            {
                await GrainFactory.GetGrain<ITransferGrain>(id).FinishedAsync(state);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TransferLog.EndNotLearned(_logger, Link, id, e);
            }
        }
    }

    /// <summary>
    /// Forwards the statuses not yet forwarded, one round at a time: a call while a round runs makes it go round once more,
    /// so a burst of finals becomes a few large reports (one call to each sender's link, one durable write here) rather
    /// than one small report per batch of finals, each scanning all that wait.
    /// </summary>
    private Task ForwardStatusesAsync() => _forwarding.RunAsync(ForwardRoundAsync, () => _faulted);

    private async Task ForwardRoundAsync()
    {
        List<MessageFinalized> pending = _core.TakeUnforwarded();
        foreach (IGrouping<string, MessageFinalized> group in pending.GroupBy(f => f.SourceLink, StringComparer.Ordinal))
        {
            try
            {
                await GrainFactory.GetGrain<ILinkGrain>(group.Key).ReportStatusAsync([.. group.Select(LinkOrchestrator.ToReport)]);
                var records = new List<LinkRecord>();
                foreach (MessageFinalized f in group)
                {
                    _core.Apply(records, new StatusForwarded(f.Sequence));
                }

                await TryCommitAsync(records);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LinkLog.ForwardFailed(_logger, Link, group.Key, e);
            }
            finally
            {
                foreach (MessageFinalized f in group)
                {
                    _core.Forwarding.Remove(f.Sequence);
                }
            }
        }
    }
}
