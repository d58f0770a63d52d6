using System.Buffers;
using System.Text;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>Frames a server sends, with test defaults.</summary>
internal static class Frames
{
    public static DeliverFrame Deliver(Guid id, ulong sequence, string payload = "hello", ushort attempt = 1, string port = "orders") =>
        Deliver(id, sequence, Encoding.UTF8.GetBytes(payload), attempt, port);

    public static DeliverFrame Deliver(Guid id, ulong sequence, byte[] payload, ushort attempt = 1, string port = "orders") =>
        new(id, sequence, sequence, Utf8Text.From("shop"), Utf8Text.From("web-1"), Utf8Text.From("billing"), Utf8Text.From(port),
            attempt, Deadline: 0, Redelivery: attempt > 1, Transfer: null, new ReadOnlySequence<byte>(payload));

    public static AcceptedFrame Accepted(Guid id, ulong sequence, bool duplicate = false) =>
        new(id, sequence, AcceptedAt: 1_700_000_000_000_000, duplicate);

    public static StatusFrame Status(Guid id, FinalState state = FinalState.Delivered, uint recipients = 1, uint confirmed = 1, string detail = "") =>
        new(id, state, recipients, confirmed, At: 1_700_000_000_500_000, Utf8Text.From(detail));
}
