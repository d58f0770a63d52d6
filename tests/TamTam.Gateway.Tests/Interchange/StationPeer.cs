using System.Buffers;
using System.Net;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>A station as a raw wire peer: a welcomed connection that registered, with helpers for its frames.</summary>
internal static class StationPeer
{
    public static async Task<WireClient> RegisteredAsync(IPEndPoint endPoint, string station, params string[] links)
    {
        WireClient client = await WireClient.ConnectWelcomedAsync(endPoint);
        await client.SendAsync(new StationRegisterFrame(station, [.. links.Select(l => (Utf8Text)l)]), 2);
        await client.ReceiveAsync<OkFrame>();
        return client;
    }

    public static async Task<WireClient> NodeAsync(IPEndPoint endPoint, string link, string node, string? port = null)
    {
        WireClient client = await WireClient.ConnectWelcomedAsync(endPoint);
        await client.SendAsync(new JoinFrame(link, node), 2);
        await client.ReceiveAsync<OkFrame>();
        if (port is not null)
        {
            await client.SendAsync(new BindFrame(PortMode.Unicast, port, Subtree: false), 3);
            await client.ReceiveAsync<OkFrame>();
        }

        return client;
    }

    public static SendFrame Message(string link, string port, string text, StationSource? from = null) =>
        new(Guid.NewGuid(), link, port, 60_000, false, from, null, new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Sends <paramref name="message"/> and awaits its ACCEPTED.</summary>
    public static async Task<AcceptedFrame> SendAcceptedAsync(WireClient sender, SendFrame message, uint correlation)
    {
        await sender.SendAsync(message, correlation);
        return await sender.ReceiveAsync<AcceptedFrame>();
    }
}
