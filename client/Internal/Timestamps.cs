namespace TamTam.Client.Internal;

/// <summary>The protocol's <c>ts</c>: i64 microseconds since the Unix epoch, 0 meaning "none".</summary>
internal static class Timestamps
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1_000;
    private static readonly long MinMicroseconds = (DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;
    private static readonly long MaxMicroseconds = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;

    public static long Now(TimeProvider clock) => ToMicroseconds(clock.GetUtcNow());

    public static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;

    /// <summary>Any <c>ts</c> is valid on the wire; values beyond what <see cref="DateTimeOffset"/> holds are clamped.</summary>
    public static DateTimeOffset FromMicroseconds(long microseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(Math.Clamp(microseconds, MinMicroseconds, MaxMicroseconds) * TicksPerMicrosecond);

    public static DateTimeOffset? FromOptional(long microseconds) => microseconds == 0 ? null : FromMicroseconds(microseconds);
}
