using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Testing.Cluster;

/// <summary>
/// <see cref="LinkTraffic"/> on many links of one cluster, the producer and the consumer of each link on two different
/// silos (link i: producer on silo i mod n, consumer on silo i+1 mod n), and what a failover must keep, summed up.
/// </summary>
internal sealed class ClusterTraffic : IAsyncDisposable
{
    private ClusterTraffic(IReadOnlyList<LinkTraffic> links) => Links = links;

    public IReadOnlyList<LinkTraffic> Links { get; }

    public int AcceptedCount => Links.Sum(l => l.AcceptedCount);

    public int ProcessedCount => Links.Sum(l => l.ProcessedCount);

    /// <summary>How many times the clients of every link reconnected so far.</summary>
    public int Reconnections => Links.Sum(l => l.Reconnections);

    /// <summary>Reconnection attempts of every link's clients that the server answered 500 INTERNAL.</summary>
    public int InternalErrors => Links.Sum(l => l.InternalErrors);

    /// <summary>
    /// Opens <paramref name="links"/> links across the silos of <paramref name="endpoints"/>; <paramref name="placement"/> (given a
    /// link's index) puts its producer and consumer elsewhere than on two different silos. Link i is named
    /// <c>purpose-run-i</c>, <paramref name="run"/> random unless given.
    /// </summary>
    public static async Task<ClusterTraffic> OpenAsync(IReadOnlyList<Uri> endpoints, int links, string purpose, int payloadSize = 256,
        Func<int, (int Producer, int Consumer)>? placement = null, string? run = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var opened = new List<LinkTraffic>();
        try
        {
            run ??= Guid.NewGuid().ToString("N")[..8];
            for (int i = 0; i < links; i++)
            {
                (int producer, int consumer) = placement?.Invoke(i) ?? (i % endpoints.Count, (i + 1) % endpoints.Count);
                opened.Add(await LinkTraffic.OpenAsync(endpoints, $"{purpose}-{run}-{i}", producer, consumer, payloadSize).ConfigureAwait(false));
            }

            return new ClusterTraffic(opened);
        }
        catch
        {
            foreach (LinkTraffic link in opened)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Starts every link with <paramref name="window"/> SENDs awaiting ACCEPTED.</summary>
    public void Start(int window)
    {
        foreach (LinkTraffic link in Links)
        {
            link.Start(window);
        }
    }

    /// <summary>Completes once <paramref name="count"/> more messages have been ACCEPTED than now, or fails after <paramref name="timeout"/>.</summary>
    public Task WaitForMoreAcceptedAsync(int count, TimeSpan timeout)
    {
        int target = AcceptedCount + count;
        return UntilAsync(() => AcceptedCount >= target, timeout, () => $"{count} more messages were not accepted within {timeout} ({AcceptedCount} in all)");
    }

    /// <summary>Completes once a SEND has been refused for <paramref name="reason"/> (an error code's name), or fails after <paramref name="timeout"/>.</summary>
    public Task WaitForRefusalAsync(string reason, TimeSpan timeout) =>
        UntilAsync(() => Refusals().ContainsKey(reason), timeout, () => $"no SEND was refused with {reason} within {timeout}");

    /// <summary>Completes once <paramref name="count"/> more SENDs have been refused than now, or fails after <paramref name="timeout"/>.</summary>
    public Task WaitForMoreRefusalsAsync(int count, TimeSpan timeout)
    {
        int target = Refusals().Values.Sum() + count;
        return UntilAsync(() => Refusals().Values.Sum() >= target, timeout, () => $"{count} more SENDs were not refused within {timeout}");
    }

    /// <summary>
    /// Waits until every link has ACCEPTED a SEND issued at or after <paramref name="since"/> (a <see cref="Stopwatch"/>
    /// timestamp) and returns, per link, how long after <paramref name="since"/> that was.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> WaitUntilEveryLinkAcceptsAsync(long since, TimeSpan timeout)
    {
        long deadline = since + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long?[] firsts = [.. Links.Select(l => l.FirstAcceptIssuedAfter(since))];
            if (firsts.All(f => f is not null))
            {
                return [.. firsts.Select(f => Stopwatch.GetElapsedTime(since, f!.Value))];
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                string stuck = string.Join("; ", Links.Where((_, i) => firsts[i] is null).Select(l => l.Describe()));
                throw new TimeoutException($"links not accepting {timeout} after the event: {stuck}; refused SENDs [{TrafficOutcome.Describe(Refusals())}]");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Stops sending on every link and waits for the SENDs in flight to be answered.</summary>
    public Task StopProducingAsync(TimeSpan timeout) => Task.WhenAll(Links.Select(l => l.StopProducingAsync(timeout)));

    /// <summary>
    /// After <see cref="StopProducingAsync"/>: waits (within <paramref name="timeout"/>) for every ACCEPTED message to be
    /// processed and for its final state to reach its producer, and sums up.
    /// </summary>
    public async Task<TrafficOutcome> SettleAsync(TimeSpan timeout)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await Task.WhenAll(Links.Select(l => l.WaitUntilProcessedAsync(timeout))).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Counted below as lost.
        }

        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
        IReadOnlyList<MessageStatus>[] statuses = await Task.WhenAll(
            Links.Select(l => l.FinalStatesAsync(left > TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        var missing = new List<string>();
        for (int i = 0; i < Links.Count; i++)
        {
            int lost = Links[i].Unprocessed.Count;
            int withoutStatus = Links[i].AcceptedCount - statuses[i].Count;
            if (lost > 0 || withoutStatus > 0)
            {
                missing.Add($"{Links[i].Link} ({Links[i].Silos}): lost {lost}, without a final state {withoutStatus}");
            }
        }

        var states = new Dictionary<string, int>();
        foreach (MessageStatus status in statuses.SelectMany(s => s))
        {
            string state = status.State.ToString();
            states[state] = states.GetValueOrDefault(state) + 1;
        }

        return new TrafficOutcome(
            Accepted: AcceptedCount,
            Processed: ProcessedCount,
            Lost: Links.Sum(l => l.Unprocessed.Count),
            ProcessedTwice: Links.Sum(l => l.ProcessedTwice.Count),
            FinalStates: states,
            WithoutFinalState: AcceptedCount - statuses.Sum(s => s.Count),
            Refusals: Refusals(),
            Shortfalls: missing);
    }

    /// <summary>SENDs that got no ACCEPTED, by reason, over all links.</summary>
    public IReadOnlyDictionary<string, int> Refusals()
    {
        var all = new Dictionary<string, int>();
        foreach ((string reason, int count) in Links.SelectMany(l => l.Refusals))
        {
            all[reason] = all.GetValueOrDefault(reason) + count;
        }

        return all;
    }

    // The counters change with every frame: looked at every 20 ms rather than signalled, which would cost the traffic itself.
    private async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{failure()}; refused SENDs [{TrafficOutcome.Describe(Refusals())}]");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (LinkTraffic link in Links)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>What a failover kept: accepted messages, lost ones (accepted, never processed), ones handed to an application twice, final states.</summary>
internal sealed record TrafficOutcome(int Accepted, int Processed, int Lost, int ProcessedTwice, IReadOnlyDictionary<string, int> FinalStates,
    int WithoutFinalState, IReadOnlyDictionary<string, int> Refusals, IReadOnlyList<string> Shortfalls)
{
    public override string ToString() =>
        $"accepted {Accepted}, processed {Processed}, lost {Lost}, processed twice {ProcessedTwice}, without a final state {WithoutFinalState}, " +
        $"final states [{Describe(FinalStates)}], refused SENDs [{Describe(Refusals)}]{(Shortfalls.Count == 0 ? string.Empty : $"; short: {string.Join("; ", Shortfalls)}")}";

    /// <summary>Counts by name, as one line.</summary>
    public static string Describe(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
}
