using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Sessions;

/// <summary>Clients that reconnect quickly, and the events that say they did.</summary>
internal static class ResumingClients
{
    public static readonly ReconnectOptions Quick = new()
    {
        MaxAttempts = 40,
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<TamTamClient> JoinAsync(Uri uri, string link, string node, ReconnectOptions? reconnect = null)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = uri,
            ClientName = "tamtam-e2e-tests",
            Reconnect = reconnect ?? Quick,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        }).Within();
        await client.JoinAsync(link, node).Within();
        return client;
    }

    /// <summary>Completes with the first <see cref="TamTamClient.Reconnected"/> from now on.</summary>
    public static Task<TamTamReconnectedEventArgs> NextReconnect(TamTamClient client)
    {
        var reconnected = new TaskCompletionSource<TamTamReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += (_, e) => reconnected.TrySetResult(e);
        return reconnected.Task;
    }
}
