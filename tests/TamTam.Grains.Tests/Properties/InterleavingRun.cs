using System.Text;
using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Properties;

/// <summary>
/// One seeded random interleaving against a fresh link: sends (some repeated), ACKs, NACKs with and without
/// requeue, lost sessions and rejoins, link restarts and STATUS_ACKs, then a drain in which every node is
/// online and answers everything. Afterwards it checks the delivery contract from the nodes' side.
/// </summary>
/// <remarks>
/// The "application" of each node sits behind a client-side dedup set, as the SDK does: a redelivery of a
/// message it has settled is answered as it was answered first and not shown again. The choice of
/// operations is the seed's; timing (which deliveries have arrived when an operation runs) is not.
/// </remarks>
internal sealed class InterleavingRun
{
    private static readonly string[] Names = ["n1", "n2", "n3", "n4"];
    private static readonly (string Port, PortMode Mode, string[] Binders)[] Ports =
    [
        ("g", PortMode.Group, ["n1", "n2", "n3"]),
        ("u", PortMode.Unicast, ["n2", "n3", "n4"]),
        ("b", PortMode.Broadcast, ["n1"]),
    ];

    private readonly SingleSiloCluster _cluster;
    private readonly Random _random;
    private readonly int _operations;
    private readonly string _link;
    private readonly Model[] _nodes;
    private readonly Dictionary<Guid, Sent> _sent = [];
    private readonly SemaphoreSlim _activity = new(0);
    private readonly StringBuilder _trace = new();
    private int _restarts;

    public InterleavingRun(SingleSiloCluster cluster, int seed, int operations)
    {
        _cluster = cluster;
        _random = new Random(seed);
        _operations = operations;
        _link = cluster.NewLink($"prop-{seed}");
        _nodes = [.. Names.Select(n => new Model(cluster.Node(_link, n)))];
        foreach (Model node in _nodes)
        {
            node.Node.Pushed += () => _activity.Release();
        }
    }

    /// <summary>The last operations, for a failure message.</summary>
    public string Trace => _trace.Length > 4000 ? "…" + _trace.ToString(_trace.Length - 4000, 4000) : _trace.ToString();

    public string Summary =>
        $"{_sent.Count} messages, {_restarts} restarts, states: " +
        string.Join(", ", _nodes.SelectMany(n => n.Statuses.Values).GroupBy(s => s.State).Select(g => $"{g.Key} {g.Count()}"));

    public async Task RunAsync()
    {
        foreach (Model node in _nodes)
        {
            await node.Node.JoinAsync();
            node.Online = true;
        }

        foreach ((string port, PortMode mode, string[] binders) in Ports)
        {
            foreach (string binder in binders)
            {
                await _nodes.Single(n => n.Node.Name == binder).Node.BindAsync(port, mode);
            }
        }

        for (int i = 0; i < _operations; i++)
        {
            await PumpAsync(drain: false);
            await StepAsync(_random.Next(100));
        }

        await DrainAsync();
        await CheckAsync();
    }

    private async Task StepAsync(int dice)
    {
        Model[] online = [.. _nodes.Where(n => n.Online)];
        Model[] offline = [.. _nodes.Where(n => !n.Online)];
        Model[] answering = [.. online.Where(n => n.Pending.Count > 0)];
        Model[] confirming = [.. _nodes.Where(n => n.Online && n.Unconfirmed.Count > 0)];
        switch (dice)
        {
            case < 30 when online.Length > 0:
                await SendAsync(Pick(online));
                break;
            case < 68 when answering.Length > 0:
                await AnswerAsync(Pick(answering));
                break;
            case < 74 when online.Length > 1:
                Model leaving = Pick(online);
                Log($"detach {leaving.Node.Name}");
                await leaving.Node.DetachAsync();
                leaving.Online = false;
                leaving.Pending.Clear();
                break;
            case < 84 when offline.Length > 0:
                Model returning = Pick(offline);
                Log($"rejoin {returning.Node.Name}");
                await returning.Node.JoinAsync();
                returning.Online = true;
                break;
            case < 87:
                await RestartAsync();
                break;
            case < 97 when confirming.Length > 0:
                Model confirmer = Pick(confirming);
                Guid[] ids = [.. confirmer.Unconfirmed.Where(_ => _random.Next(2) == 0)];
                Log($"confirm {confirmer.Node.Name} {ids.Length}");
                await confirmer.Node.ConfirmAsync(ids);
                confirmer.Unconfirmed.ExceptWith(ids);
                confirmer.Confirmed.UnionWith(ids);
                break;
        }
    }

    private async Task SendAsync(Model sender)
    {
        var batch = new List<SendCommand>();
        var repeats = new HashSet<Guid>();
        int count = _random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            // Repeat an id whose status the sender has not confirmed: still inside the idempotency window.
            Guid[] repeatable = [.. _sent.Where(s => s.Value.Sender == sender && !sender.Confirmed.Contains(s.Key) && !repeats.Contains(s.Key)).Select(s => s.Key)];
            (string port, _, _) = Ports[_random.Next(10) switch { < 4 => 0, < 8 => 1, _ => 2 }];
            uint ttl = _random.Next(10) == 0 ? (uint)_random.Next(100, 300) : 0;
            if (repeatable.Length > 0 && _random.Next(7) == 0)
            {
                Guid repeat = Pick(repeatable);
                repeats.Add(repeat);
                batch.Add(new SendCommand(repeat, _sent[repeat].Port, false, ttl, BitConverter.GetBytes(i)));
            }
            else
            {
                batch.Add(new SendCommand(Guid.NewGuid(), port, false, ttl, BitConverter.GetBytes(i)));
            }
        }

        SendOutcome[] outcomes = await sender.Node.SendBatchAsync([.. batch]);
        for (int i = 0; i < batch.Count; i++)
        {
            SendCommand command = batch[i];
            SendOutcome outcome = outcomes[i];
            Log($"send {sender.Node.Name} {command.Port} {Short(command.MessageId)} -> {outcome.Code} seq {outcome.Sequence}{(outcome.Duplicate ? " dup" : "")}");
            Assert.True(outcome.Accepted, $"send to {command.Port} refused: {outcome.Code} {outcome.Detail}");
            if (repeats.Contains(command.MessageId))
            {
                Assert.True(outcome.Duplicate, $"repeated {command.MessageId} was accepted again");
                Assert.Equal(_sent[command.MessageId].Sequence, outcome.Sequence);
            }
            else
            {
                Assert.False(outcome.Duplicate);
                _sent.Add(command.MessageId, new Sent(sender, command.Port, outcome.Sequence));
            }
        }
    }

    private async Task AnswerAsync(Model node)
    {
        Delivery delivery = Pick([.. node.Pending.Values]);
        int dice = _random.Next(100);
        AckCommand answer = dice switch
        {
            < 60 => TestNode.Ack(delivery),
            < 75 => TestNode.Nack(delivery, requeue: false),
            _ => TestNode.Nack(delivery, requeue: true),
        };
        ErrorCode result = (await node.Node.AnswerAsync([answer]))[0];
        Log($"answer {node.Node.Name} seq {delivery.Sequence} {(answer.Nack ? answer.Requeue ? "requeue" : "reject" : "ack")} -> {result}");

        // 304: the attempt was replaced (ack timeout, restart, lost session); the next one comes.
        Assert.True(result is ErrorCode.None or ErrorCode.UnknownDelivery, $"answer refused: {result}");
        node.Pending.Remove(delivery.MessageId);
        if (!answer.Requeue)
        {
            node.Decided[delivery.MessageId] = answer;
        }
    }

    private async Task RestartAsync()
    {
        Model[] online = [.. _nodes.Where(n => n.Online)];
        Log($"restart with {online.Length} online");
        _restarts++;
        await _cluster.DeactivateAsync(_link);
        foreach (Model node in online)
        {
            OperationResult rejoined = await node.Node.NextRejoinAsync();
            Assert.True(rejoined.Succeeded, $"{node.Node.Name} could not rejoin: {rejoined.Code} {rejoined.Detail}");
        }
    }

    /// <summary>Takes what the link pushed: settled ids are answered as before (client dedup), others go to the application.</summary>
    private async Task PumpAsync(bool drain)
    {
        foreach (Model node in _nodes.Where(n => n.Online))
        {
            var automatic = new List<AckCommand>();
            while (node.Node.TryReceive(out Delivery delivery))
            {
                if (node.Decided.TryGetValue(delivery.MessageId, out AckCommand decided))
                {
                    automatic.Add(decided with { Sequence = delivery.Sequence });
                }
                else if (drain)
                {
                    AckCommand ack = TestNode.Ack(delivery);
                    node.Decided[delivery.MessageId] = ack;
                    node.Pending.Remove(delivery.MessageId);
                    automatic.Add(ack);
                }
                else
                {
                    node.Pending[delivery.MessageId] = delivery;
                }
            }

            if (drain)
            {
                foreach (Delivery pending in node.Pending.Values)
                {
                    node.Decided[pending.MessageId] = TestNode.Ack(pending);
                    automatic.Add(TestNode.Ack(pending));
                }

                node.Pending.Clear();
            }

            if (automatic.Count > 0)
            {
                ErrorCode[] results = await node.Node.AnswerAsync([.. automatic]);
                Assert.All(results, r => Assert.True(r is ErrorCode.None or ErrorCode.UnknownDelivery, $"answer refused: {r}"));
            }

            while (node.Node.TryNextStatus(out StatusReport status))
            {
                node.Record(status);
            }
        }
    }

    private async Task DrainAsync()
    {
        foreach (Model node in _nodes.Where(n => !n.Online))
        {
            await node.Node.JoinAsync();
            node.Online = true;
        }

        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (_sent.Any(s => !s.Value.Sender.Statuses.ContainsKey(s.Key)))
        {
            if (DateTime.UtcNow > deadline)
            {
                string[] missing = [.. _sent.Where(s => !s.Value.Sender.Statuses.ContainsKey(s.Key)).Select(s => $"{Short(s.Key)} seq {s.Value.Sequence} from {s.Value.Sender.Node.Name} to {s.Value.Port}")];
                NodeSummary[] seen = await _nodes[0].Node.Grain.GetNodesAsync();
                throw new TimeoutException($"{missing.Length} accepted messages never got a status: {string.Join(", ", missing.Take(10))}; " +
                    $"the link sees {string.Join(", ", seen.Select(n => $"{n.Node} {(n.Online ? "online" : "offline")} {n.Pending} pending"))}");
            }

            await PumpAsync(drain: true);
            await _activity.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        foreach (Model node in _nodes)
        {
            await node.Node.ConfirmAsync([.. node.Unconfirmed]);
        }
    }

    private async Task CheckAsync()
    {
        // Every accepted message ends in exactly one final status, at its sender and only there.
        foreach ((Guid id, Sent sent) in _sent)
        {
            StatusReport status = sent.Sender.Statuses[id];
            (_, PortMode mode, string[] binders) = Ports.Single(p => p.Port == sent.Port);
            // A broadcast reaches every member but its sender.
            uint recipients = mode switch { PortMode.Broadcast => (uint)Names.Length - 1, PortMode.Group => (uint)binders.Length, _ => 1 };
            Assert.Equal(recipients, status.Recipients);
            Assert.True(status.Confirmed <= status.Recipients);
            Assert.Equal(status.Confirmed == status.Recipients, status.State == FinalState.Delivered);
            Assert.Equal(status.Confirmed > 0 && status.Confirmed < status.Recipients, status.State == FinalState.Partial);

            // A confirmation counts an application's ACK: never more than the nodes whose application did.
            Model[] receivers = [.. _nodes.Where(n => n.Node.History.Any(h => h.Delivery.MessageId == id))];
            int acked = _nodes.Count(n => n.Decided.TryGetValue(id, out AckCommand a) && !a.Nack);
            Assert.True(status.Confirmed <= acked, $"{Short(id)}: {status.Confirmed} confirmations but {acked} applications acknowledged it");
            Assert.True(receivers.Length <= recipients, $"{Short(id)} reached {receivers.Length} nodes for {recipients} recipients");
            if (status.State == FinalState.Delivered)
            {
                Assert.Equal((int)recipients, acked);
            }
        }

        foreach (Model node in _nodes)
        {
            Assert.All(node.Statuses.Keys, id => Assert.True(_sent.TryGetValue(id, out Sent? s) && s.Sender == node, $"{node.Node.Name} got a status for {id}, not its message"));
            Assert.Empty(node.Conflicts);

            // The server never presents a message twice as new, and presents new messages in link order.
            Delivery[] fresh = [.. node.Node.History.Select(h => h.Delivery).Where(d => !d.Redelivery)];
            IGrouping<Guid, Delivery>? twice = fresh.GroupBy(d => d.MessageId).FirstOrDefault(g => g.Count() > 1);
            Assert.True(twice is null, $"{node.Node.Name} got {twice?.Key} {twice?.Count()} times without REDELIVERY");
            for (int i = 1; i < fresh.Length; i++)
            {
                Assert.True(fresh[i - 1].Sequence < fresh[i].Sequence,
                    $"{node.Node.Name} got sequence {fresh[i].Sequence} as new after {fresh[i - 1].Sequence}");
            }

            // After client-side dedup each message reached this node's application once: whatever it
            // decided (ACK or reject) was decided once, and only for messages this node was sent.
            Assert.All(node.Decided.Keys, id => Assert.True(_sent.ContainsKey(id)));
        }

        // Nothing is left waiting anywhere.
        NodeSummary[] members = await _nodes[0].Node.Grain.GetNodesAsync();
        Assert.All(members, m => Assert.Equal(0, m.Pending));
        Assert.Equal(Names.Length, members.Length);
    }

    private void Log(string line) => _trace.Append(line).Append('\n');

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private static string Short(Guid id) => id.ToString("N")[..6];

    private sealed record Sent(Model Sender, string Port, ulong Sequence);

    private sealed class Model(TestNode node)
    {
        public TestNode Node { get; } = node;

        public bool Online { get; set; }

        /// <summary>Deliveries the application has and has not answered, by message id.</summary>
        public Dictionary<Guid, Delivery> Pending { get; } = [];

        /// <summary>The client's dedup memory: how the application settled each message (ACK or reject).</summary>
        public Dictionary<Guid, AckCommand> Decided { get; } = [];

        public Dictionary<Guid, StatusReport> Statuses { get; } = [];

        public HashSet<Guid> Unconfirmed { get; } = [];

        public HashSet<Guid> Confirmed { get; } = [];

        public List<string> Conflicts { get; } = [];

        public void Record(StatusReport status)
        {
            if (Statuses.TryGetValue(status.MessageId, out StatusReport? earlier))
            {
                if (earlier != status)
                {
                    Conflicts.Add($"{status.MessageId}: {earlier.State} {earlier.Confirmed}/{earlier.Recipients} then {status.State} {status.Confirmed}/{status.Recipients}");
                }

                return;
            }

            Statuses.Add(status.MessageId, status);
            if (!Confirmed.Contains(status.MessageId))
            {
                Unconfirmed.Add(status.MessageId);
            }
        }
    }
}
