using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Clients as the tests use them: connected, joined to a link under a node name, maybe bound.</summary>
internal static class Nodes
{
    public static async Task<TamTamClient> ConnectAsync(Uri uri, int receiveBufferCapacity = 256) =>
        await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = uri,
            ClientName = "tamtam-e2e-tests",
            ReceiveBufferCapacity = receiveBufferCapacity,

            // These clients pin what one connection does (crashes end it); the resume tests use ResumingClients.
            Reconnect = ReconnectOptions.Disabled,
        }).Within();

    /// <summary>Connects and joins <paramref name="link"/> as <paramref name="node"/>.</summary>
    public static async Task<TamTamClient> JoinAsync(Uri uri, string link, string node, int receiveBufferCapacity = 256)
    {
        TamTamClient client = await ConnectAsync(uri, receiveBufferCapacity);
        try
        {
            await client.JoinAsync(link, node).Within();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects, joins and binds <paramref name="port"/> as a unicast receiver.</summary>
    public static async Task<TamTamClient> ListenAsync(Uri uri, string link, string node, string port, int receiveBufferCapacity = 256)
    {
        TamTamClient client = await JoinAsync(uri, link, node, receiveBufferCapacity);
        try
        {
            await client.BindAsync(port, PortMode.Unicast).Within();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Random payload bytes of <paramref name="size"/>.</summary>
    public static byte[] Payload(int size)
    {
        byte[] payload = new byte[size];
        Random.Shared.NextBytes(payload);
        return payload;
    }
}
