using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Security;
using TamTam.Gateway.Streams.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Sessions;
using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Resumes a session from a HELLO's resume token (docs/protocol.md section 6.1, step 4): the token names the
/// session; its directory entry (<see cref="ISessionGrain"/>, on whichever silo) checks the secret and says which
/// link and node the session joined; the link attaches this connection to the node again, with its bindings and
/// inbox, if the session still holds the node. Anything else is 204, which is not fatal.
/// </summary>
internal static class SessionResumption
{
    private const string Expired = "the resume token is unknown or its session has expired; send HELLO without it for a new session";


    /// <summary>The session's link, attached to this connection, or the refusal for the ERROR that answers HELLO.</summary>
    public static async Task<(SessionLink? Link, OperationResult Result)> ResumeAsync(GatewaySession session, ReadOnlyMemory<byte> presented,
        AccessToken? access, GatewayOptions options, ILogger logger)
    {
        if (session.Grains is not { } grains || options.SessionTimeout <= TimeSpan.Zero || !ResumeToken.TryParse(presented.Span, out ResumeToken token))
        {
            return (null, OperationResult.Fail(ErrorCode.SessionExpired, Expired));
        }

        SessionEntry? entry;
        try
        {
            ISessionGrain directory = grains.GetGrain<ISessionGrain>(token.SessionId);
            byte[] secretHash = token.SecretHash();
            entry = await ClusterFailure.RetryOnSiloLossAsync(() => directory.ResolveAsync(secretHash), ClusterFailure.Wait, session.Closing).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            logger.LinkCallFailed(exception, session.ConnectionId, "-");
            return (null, OperationResult.Fail(ErrorCode.Unavailable, "the session directory is unavailable; try again"));
        }

        if (entry is null)
        {
            return (null, OperationResult.Fail(ErrorCode.SessionExpired, Expired));
        }

        if (access is not null && !access.AllowsJoin(entry.Link, entry.Node))
        {
            return (null, OperationResult.Fail(ErrorCode.Forbidden, $"the access token does not allow node \"{entry.Node}\" of link \"{entry.Link}\""));
        }

        session.Assume(token);
        var link = new SessionLink(session, grains, logger, options.MaxInflight, entry.Link, entry.Node);
        OperationResult result;
        try
        {
            result = await ClusterFailure.RetryOnSiloLossAsync(() => link.JoinAsync(resume: true), ClusterFailure.Wait, session.Closing).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            logger.LinkCallFailed(exception, session.ConnectionId, entry.Link);
            result = OperationResult.Fail(ErrorCode.Unavailable, "the link is unavailable; try again");
        }

        if (!result.Succeeded)
        {
            link.ReleaseReference();
            session.Assume(default);
            return (null, result);
        }

        session.Attached(link);
        if (session.Streams is { } streams)
        {
            // Stream subscriptions belong to a connection, not to the link: a resumed session opens them again
            // for the bindings it got back; a stream port grain on a silo that just died is waited for like the link.
            ILinkGrain linkGrain = grains.GetGrain<ILinkGrain>(entry.Link);
            foreach (PortBinding binding in await ClusterFailure.RetryOnSiloLossAsync(() => linkGrain.GetBindingsAsync(entry.Node), ClusterFailure.Wait,
                session.Closing).ConfigureAwait(false))
            {
                var streamBinding = new StreamBinding(entry.Link, binding.Port, binding.Subtree);
                await ClusterFailure.RetryOnSiloLossAsync(() => streams.SubscribeAsync(streamBinding), ClusterFailure.Wait, session.Closing).ConfigureAwait(false);
            }
        }

        return (link, result);
    }
}
