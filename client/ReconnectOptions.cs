namespace TamTam.Client;

/// <summary>
/// How a <see cref="TamTamClient"/> reconnects after its connection is lost (a reset, a server restart, error 210
/// or 211): it dials again, presents the session's resume token, and on WELCOME with RESUMED carries on with the
/// same node name, bindings and unacknowledged deliveries. Waits between attempts grow exponentially from
/// <see cref="InitialDelay"/> to <see cref="MaxDelay"/>, each a random point between half and all of its step
/// (jitter, so that many clients cut off at once do not return at once). After <see cref="MaxAttempts"/> failed
/// attempts the client gives up with <see cref="TamTamReconnectException"/>.
/// </summary>
public sealed record ReconnectOptions
{
    /// <summary>Whether the client reconnects at all; <see langword="false"/>: a lost connection ends the client.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Attempts before giving up, at least 1.</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>The wait before the first attempt (then doubled per attempt), positive.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts, at least <see cref="InitialDelay"/>.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The options with reconnection off.</summary>
    public static ReconnectOptions Disabled { get; } = new() { Enabled = false };

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based), jittered with <paramref name="random"/>.</summary>
    internal TimeSpan DelayBefore(int attempt, Random random)
    {
        double step = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        double capped = Math.Min(step, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + random.NextDouble() * capped / 2);
    }

    internal void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"{nameof(TamTamClientOptions)}.{nameof(TamTamClientOptions.Reconnect)}.{nameof(MaxAttempts)} must be at least 1.", nameof(MaxAttempts));
        }

        if (InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException(
                $"{nameof(TamTamClientOptions)}.{nameof(TamTamClientOptions.Reconnect)}: {nameof(InitialDelay)} must be positive and {nameof(MaxDelay)} at least as long.",
                nameof(InitialDelay));
        }
    }
}
