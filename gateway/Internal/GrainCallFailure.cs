using TamTam.Protocol;

namespace TamTam.Gateway.Internal;

/// <summary>
/// What a session does when a call to a grain (a link, the session directory, a stream port, a transfer) fails:
/// the one place that decides between answering the frame that caused it and leaving it to the connection's end.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A cancellation means the session is ending: nothing is answered, the connection closes and the client
/// resumes or sends again on its next connection.</item>
/// <item>A <see cref="ProtocolException"/> is the frame's own fault, found while it was decoded for the call: the
/// dispatcher answers it with its code, or closes the connection when the code is fatal.</item>
/// <item>Anything else is the cluster's: the frame is answered with 501 UNAVAILABLE (the request was not applied;
/// the client may send it again) and the connection goes on.</item>
/// </list>
/// </remarks>
internal static class GrainCallFailure
{
    /// <summary>True when the frame whose grain call threw <paramref name="exception"/> is answered with 501 UNAVAILABLE.</summary>
    public static bool IsAnsweredUnavailable(Exception exception) => exception is not (OperationCanceledException or ProtocolException);
}
