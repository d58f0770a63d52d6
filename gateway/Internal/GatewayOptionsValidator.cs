using System.Text;
using Microsoft.Extensions.Options;
using TamTam.Protocol;

namespace TamTam.Gateway.Internal;

/// <summary>Checks <see cref="GatewayOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    // WELCOME carries timers as u32 milliseconds, and the idle limit is three heartbeats.
    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue / 3);

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.MaxBody is < ProtocolLimits.MinMaxBody or > ProtocolLimits.MaxBodyCeiling)
        {
            failures.Add(Fail(nameof(options.MaxBody), $"must be {ProtocolLimits.MinMaxBody} … {ProtocolLimits.MaxBodyCeiling}", options.MaxBody));
        }

        CheckTimer(failures, nameof(options.HandshakeTimeout), options.HandshakeTimeout, TimeSpan.FromMilliseconds(1));
        CheckTimer(failures, nameof(options.HeartbeatInterval), options.HeartbeatInterval, GatewayOptions.MinHeartbeatInterval);
        CheckTimer(failures, nameof(options.SessionTimeout), options.SessionTimeout, TimeSpan.Zero);
        CheckTimer(failures, nameof(options.FrameTimeout), options.FrameTimeout, TimeSpan.FromMilliseconds(1));
        CheckTimer(failures, nameof(options.StreamStallTimeout), options.StreamStallTimeout, TimeSpan.FromMilliseconds(1));

        // One frame of the largest size must always fit, or a client could never send one.
        long oneFrame = ProtocolLimits.HeaderSize + (long)Math.Max(options.MaxBody, ProtocolLimits.HandshakeMaxBody);
        if (options.MaxUnfinishedFrameBytes < oneFrame)
        {
            failures.Add(Fail(nameof(options.MaxUnfinishedFrameBytes), $"must be at least MaxBody + {ProtocolLimits.HeaderSize} ({oneFrame})",
                options.MaxUnfinishedFrameBytes));
        }

        if (options.MaxInflight < 1)
        {
            failures.Add(Fail(nameof(options.MaxInflight), "must be at least 1", options.MaxInflight));
        }

        if (options.MaxFramesPerSecond < 0)
        {
            failures.Add(Fail(nameof(options.MaxFramesPerSecond), "must be 0 (no limit) or more", options.MaxFramesPerSecond));
        }

        if (options.FrameBurst < 0)
        {
            failures.Add(Fail(nameof(options.FrameBurst), "must be 0 (one second's worth) or more", options.FrameBurst));
        }

        if (options.PartSize is < 1 or > ProtocolLimits.MaxBodyCeiling)
        {
            failures.Add(Fail(nameof(options.PartSize), $"must be 1 … {ProtocolLimits.MaxBodyCeiling}", options.PartSize));
        }

        if (options.PartWindow < 1)
        {
            failures.Add(Fail(nameof(options.PartWindow), "must be at least 1", options.PartWindow));
        }

        if (options.MaxTransferBytes < 1)
        {
            failures.Add(Fail(nameof(options.MaxTransferBytes), "must be at least 1", options.MaxTransferBytes));
        }

        if (options.ServerName is null || Encoding.UTF8.GetByteCount(options.ServerName) > byte.MaxValue)
        {
            failures.Add(Fail(nameof(options.ServerName), "must be set and at most 255 bytes of UTF-8", options.ServerName));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckTimer(List<string> failures, string key, TimeSpan value, TimeSpan min)
    {
        if (value < min || value > MaxTimer)
        {
            failures.Add(Fail(key, $"must be {min} … {MaxTimer}", value));
        }
    }

    private static string Fail(string key, string rule, object? value) =>
        $"{GatewayOptions.SectionName}:{key} {rule} (got {value ?? "nothing"}).";
}
