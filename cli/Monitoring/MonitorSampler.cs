using TamTam.Client;

namespace TamTam.Cli.Monitoring;

/// <summary>
/// Takes <see cref="MonitorSnapshot"/>s over one connection (HEALTH, LINKS, NODES per link) and turns the differences
/// between two into rates: the server's messages in and out, each link's sequence growth.
/// </summary>
internal sealed class MonitorSampler(TamTamClient client, IReadOnlyList<string> watched, int maxLinks, TimeProvider clock)
{
    private MonitorSnapshot? _previous;

    public async Task<MonitorSnapshot> SampleAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset at = clock.GetUtcNow();
        HealthReport health = await client.HealthAsync(cancellationToken);
        LinkList links = await client.ListLinksAsync(cancellationToken);
        double? seconds = _previous is null ? null : Math.Max(0.001, (at - _previous.At).TotalSeconds);

        var rates = new List<LinkRate>(links.Links.Count);
        foreach (LinkInfo link in links.Links)
        {
            LinkRate? before = _previous?.Links.FirstOrDefault(l => l.Link.Name == link.Name);
            double? rate = seconds is { } s ? (link.Sequence - Math.Min(link.Sequence, before?.Link.Sequence ?? link.Sequence)) / s : null;
            rates.Add(new LinkRate(link, rate));
        }

        IEnumerable<string> names = watched.Count > 0 ? watched : links.Links.Where(l => l.Nodes > 0).Select(l => l.Name).Take(maxLinks);
        var nodes = new List<LinkNodes>();
        foreach (string name in names)
        {
            nodes.Add(new LinkNodes(name, await client.ListNodesAsync(name, cancellationToken)));
        }

        var snapshot = new MonitorSnapshot(at, client.Uri.ToString(), client.ServerName, health, rates, nodes,
            Rate(health, "silo.messages_in", seconds), Rate(health, "silo.messages_out", seconds), links.Truncated);
        _previous = snapshot;
        return snapshot;
    }

    private double? Rate(HealthReport health, string figure, double? seconds)
    {
        if (seconds is not { } s || _previous is null
            || !health.Figures.TryGetValue(figure, out long now) || !_previous.Health.Figures.TryGetValue(figure, out long before))
        {
            return null;
        }

        return Math.Max(0, now - before) / s;
    }
}
