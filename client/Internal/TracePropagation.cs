using System.Diagnostics;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// The trace context a send passes on (SEND flag TRACED, docs/protocol.md 5.10): the current <see cref="Activity"/>'s,
/// when there is one in the W3C format, so that the server's spans of the message and its receivers' join the caller's trace.
/// </summary>
internal static class TracePropagation
{
    public static TraceContext? Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } && TraceContext.IsValid(System.Text.Encoding.ASCII.GetBytes(id))
            ? new TraceContext(id)
            : null;
}
