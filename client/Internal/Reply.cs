using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// What a reply frame told its request, flattened so a waiter can carry it without a per-type class:
/// ACCEPTED fills <see cref="MessageId"/>, <see cref="Sequence"/>, <see cref="Timestamp"/> (accepted_at) and
/// <see cref="Flag"/> (duplicate); PONG fills <see cref="Timestamp"/> (the echo); HEALTH_REPORT puts its
/// report in <see cref="Data"/>; OK fills nothing.
/// </summary>
internal readonly record struct Reply(FrameType Type, Guid MessageId = default, ulong Sequence = 0, long Timestamp = 0, bool Flag = false, object? Data = null);
