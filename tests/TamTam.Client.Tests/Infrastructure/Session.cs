using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>A connected client and the scripted server side of its connection.</summary>
internal sealed class Session : IAsyncDisposable
{
    private Session(ScriptedServer server, ScriptedPeer peer, TamTamClient client, HelloFrame hello)
    {
        Server = server;
        Peer = peer;
        Client = client;
        Hello = hello;
    }

    public ScriptedServer Server { get; }

    public ScriptedPeer Peer { get; }

    public TamTamClient Client { get; }

    public HelloFrame Hello { get; }

    /// <summary>Starts a scripted server, connects a client to it and completes the handshake.</summary>
    public static async Task<Session> OpenAsync(
        Func<TamTamClientOptions, TamTamClientOptions>? configure = null,
        WelcomeFrame? welcome = null,
        int? serverSendBuffer = null)
    {
        ScriptedServer server = ScriptedServer.Start();
        var options = new TamTamClientOptions { Uri = server.Uri, ClientName = "client-tests/1.0" };
        options = configure?.Invoke(options) ?? options;

        Task<ScriptedPeer> accepting = server.AcceptAsync(serverSendBuffer);
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(options).AsTask();
        ScriptedPeer peer = await accepting;
        HelloFrame hello = await peer.HandshakeAsync(welcome);
        TamTamClient client = await connecting.Within();
        return new Session(server, peer, client, hello);
    }

    /// <summary>Joins, answering the JOIN with OK.</summary>
    public async Task JoinAsync(string link = "billing", string node = "worker-1")
    {
        Task joining = Client.JoinAsync(link, node).AsTask();
        (_, uint correlation) = await Peer.ExpectAsync<JoinFrame>();
        await Peer.OkAsync(correlation);
        await joining.Within();
    }

    public async ValueTask DisposeAsync()
    {
        // A closing client waits (briefly) for the server to close its side, as the gateway does once it has read
        // the client's last frames: the scripted server closes while the client is closing.
        Task closing = Client.DisposeAsync().AsTask();
        await Peer.DisposeAsync();
        await closing;
        await Server.DisposeAsync();
    }
}
