using TamTam.Client;
using TamTam.Station;

namespace TamTam.Interchange.Tests.Infrastructure;

/// <summary>Stations and local nodes as the tests use them: free ports, a data directory per test, quiet logs.</summary>
internal static class Stations
{
    public static StationOptions Options(string name, string dataPath, string[] links, params Uri[] upstreams) => new()
    {
        Name = name,
        Links = links,
        DataPath = dataPath,
        ListenAddress = "127.0.0.1",
        TcpPort = 0,
        HttpPort = 0,
        SiloPort = FreePorts.Next(),
        Upstreams = [.. upstreams.Select(u => new StationUpstream(u))],
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        SiloArguments =
        [
            // A node whose connection ends gives its name back at once, so that a restarted station's node joins again.
            "--TamTam:Gateway:SessionTimeout=00:00:01",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Orleans=Error",
        ],
    };

    public static string NewDataPath(string test) =>
        Directory.CreateTempSubdirectory($"tamtam-station-{test}-").FullName;

    public static Task<TamTamClient> NodeAsync(TamTamStation station, string link, string node, string? port = null) =>
        NodeAsync(station.TcpUri, link, node, port);

    /// <summary>A node of <paramref name="link"/> at <paramref name="uri"/> (a station or a cloud silo), bound to <paramref name="port"/> if named.</summary>
    public static async Task<TamTamClient> NodeAsync(Uri uri, string link, string node, string? port = null)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = uri,
            ClientName = "tamtam-interchange-tests",
            Reconnect = ReconnectOptions.Disabled,
        }).Bounded();
        await client.JoinAsync(link, node).Bounded();
        if (port is not null)
        {
            await client.BindAsync(port).Bounded();
        }

        return client;
    }

    public static async Task<IncomingMessage> NextAsync(TamTamClient client, TimeSpan? within = null)
    {
        // Not disposed: an enumerator still waiting when the bound fires cannot be, and its timeout is the failure to report.
        IAsyncEnumerator<IncomingMessage> messages = client.ReceiveAsync().GetAsyncEnumerator();
        Assert.True(await messages.MoveNextAsync().AsTask().WaitAsync(within ?? Within.Exchange), "the node's connection ended before a message came");
        return messages.Current;
    }
}
