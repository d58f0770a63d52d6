using TamTam.Client;

namespace TamTam.Cli.Monitoring;

/// <summary>What <c>tamtam monitor</c> shows at one moment: the server's health, its links and their nodes, and rates.</summary>
/// <param name="At">When the sample was taken.</param>
/// <param name="Server">The server's address.</param>
/// <param name="ServerName">What the server calls itself.</param>
/// <param name="Health">Its HEALTH_REPORT.</param>
/// <param name="Links">Its links (LINKS), with each one's message rate.</param>
/// <param name="Nodes">The nodes of the links watched (NODES), link by link.</param>
/// <param name="MessagesInPerSecond">Messages the server accepted per second since the previous sample; null for the first.</param>
/// <param name="MessagesOutPerSecond">Messages it delivered per second since the previous sample; null for the first.</param>
/// <param name="LinksTruncated">More links exist than one LINKS answer holds.</param>
internal sealed record MonitorSnapshot(
    DateTimeOffset At,
    string Server,
    string ServerName,
    HealthReport Health,
    IReadOnlyList<LinkRate> Links,
    IReadOnlyList<LinkNodes> Nodes,
    double? MessagesInPerSecond,
    double? MessagesOutPerSecond,
    bool LinksTruncated);

/// <summary>A link and the messages per second its sequence grew by since the previous sample (null for the first).</summary>
internal sealed record LinkRate(LinkInfo Link, double? MessagesPerSecond);

/// <summary>The nodes of one link.</summary>
internal sealed record LinkNodes(string Link, NodeList Nodes);
