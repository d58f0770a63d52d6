using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Client.Internal;
using TamTam.Client.Internal.Transports;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// The current session's resume token (WELCOME's <c>resume_token</c>): opaque bytes with which a later process can
    /// take this session back through <see cref="ResumeOrJoinAsync"/> once this client is gone — within the server's
    /// <see cref="SessionTimeout"/> after its connection ended, and unless it LEFT. It changes only when a reconnect had
    /// to start a new session (<see cref="Reconnected"/> with <c>Resumed</c> false).
    /// </summary>
    /// <remarks>It is a credential: whoever holds it acts as this node. Keep it where only its owner can read it.</remarks>
    public ReadOnlyMemory<byte> ResumeToken => Volatile.Read(ref _connection).Terms.ResumeToken;

    /// <summary>True when the current connection's WELCOME resumed an earlier session (flag RESUMED), false for a new session.</summary>
    public bool IsResumed => Volatile.Read(ref _connection).Terms.Resumed;

    /// <summary>
    /// Connects and takes back the session of <paramref name="resumeToken"/> (from <see cref="ResumeToken"/> of an earlier
    /// client, which must have been node <paramref name="node"/> of <paramref name="link"/>): its bindings, its
    /// unacknowledged deliveries (delivered again, flagged as redeliveries) and its held statuses come back, and no
    /// JOIN is needed. When the server no longer knows the token (204: the session expired, LEFT, or never joined) a new
    /// session joins <paramref name="link"/> as <paramref name="node"/> instead. <see cref="IsResumed"/> says which.
    /// </summary>
    /// <exception cref="TamTamException">The JOIN of a new session was refused, e.g. 205 NAME_TAKEN.</exception>
    /// <exception cref="TamTamConnectionException">The server refused the session (e.g. 203 for a token that does not allow the node) or is unreachable.</exception>
    /// <exception cref="TimeoutException">The connection or handshake took longer than the connect timeout.</exception>
    public static async ValueTask<TamTamClient> ResumeOrJoinAsync(TamTamClientOptions options, string link, string node, ReadOnlyMemory<byte> resumeToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(link);
        ArgumentException.ThrowIfNullOrEmpty(node);
        options.Validate();
        ILogger logger = options.LoggerFactory?.CreateLogger<TamTamClient>() ?? NullLogger<TamTamClient>.Instance;
        (IClientTransport transport, SessionTerms terms, EndpointRotation endpoints) =
            await DialFirstAsync(options, resumeToken, logger, cancellationToken).ConfigureAwait(false);
        logger.Connected(endpoints.Current, terms.SessionId, terms.ServerName, terms.MaxBody, terms.MaxInflight);
        var client = new TamTamClient(options, endpoints, transport, terms, logger);
        if (terms.Resumed)
        {
            client.Link = link;
            client.Node = node;
            return client;
        }

        try
        {
            await client.JoinAsync(link, node, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
