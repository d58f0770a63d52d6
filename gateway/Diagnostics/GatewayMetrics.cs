using System.Diagnostics.Metrics;
using TamTam.Protocol;

namespace TamTam.Gateway.Diagnostics;

/// <summary>
/// The gateway's instruments on the meter <c>TamTam.Gateway</c>:
/// <list type="bullet">
/// <item><c>tamtam.gateway.sessions</c> (up-down counter, <c>{session}</c>): sessions past WELCOME and not yet closed.</item>
/// <item><c>tamtam.gateway.frames.in</c> (observable counter, <c>{frame}</c>, tag <c>tamtam.frame.type</c>): frames received.</item>
/// <item><c>tamtam.gateway.frames.out</c> (observable counter, <c>{frame}</c>, tag <c>tamtam.frame.type</c>): frames sent.</item>
/// <item><c>tamtam.gateway.errors</c> (counter, <c>{error}</c>, tag <c>tamtam.error.code</c>): ERROR frames sent.</item>
/// <item><c>tamtam.gateway.unfinished_frames.bytes</c> (up-down counter, <c>By</c>): bytes held by frames begun and not yet
/// finished, all connections together; bounded by <c>TamTam:Gateway:MaxUnfinishedFrameBytes</c>.</item>
/// </list>
/// Frame types are tagged with their name in docs/protocol.md (<c>PING</c>, <c>SEND</c>, …) or <c>unknown</c>.
/// </summary>
public sealed class GatewayMetrics
{
    /// <summary>The meter's name, for exporters and <c>dotnet-counters</c>.</summary>
    public const string MeterName = "TamTam.Gateway";

    private const string FrameTypeTag = "tamtam.frame.type";
    private const string ErrorCodeTag = "tamtam.error.code";

    private readonly UpDownCounter<long> _sessions;
    private readonly ObservableCounterTally _framesIn;
    private readonly ObservableCounterTally _framesOut;
    private readonly Counter<long> _errors;
    private readonly UpDownCounter<long> _unfinishedFrameBytes;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _sessions = meter.CreateUpDownCounter<long>("tamtam.gateway.sessions", "{session}", "Sessions past WELCOME and not yet closed.");
        // Six frames a message, in and out: counted as plain totals, read when a listener collects.
        object?[] frameTypes = [.. Enumerable.Range(0, 256).Select(type => (object?)TagOf((FrameType)type))];
        _framesIn = new ObservableCounterTally("tamtam.gateway.frames.in", "{frame}", "Frames received from clients.", meter, FrameTypeTag, frameTypes);
        _framesOut = new ObservableCounterTally("tamtam.gateway.frames.out", "{frame}", "Frames sent to clients.", meter, FrameTypeTag, frameTypes);
        _errors = meter.CreateCounter<long>("tamtam.gateway.errors", "{error}", "ERROR frames sent to clients.");
        _unfinishedFrameBytes = meter.CreateUpDownCounter<long>("tamtam.gateway.unfinished_frames.bytes", "By",
            "Bytes held by frames begun and not yet finished, all connections together.");
        Messages = new MessageTelemetry(meterFactory);
    }

    /// <summary>The messages' counters and spans (meter and activity source <c>TamTam.Messages</c>).</summary>
    internal MessageTelemetry Messages { get; }

    internal void SessionOpened() => _sessions.Add(1);

    internal void SessionClosed() => _sessions.Add(-1);

    internal void UnfinishedFrameBytes(long change) => _unfinishedFrameBytes.Add(change);

    internal void FrameIn(FrameType type) => _framesIn.Add((byte)type);

    internal void FrameOut(FrameType type, int count = 1) => _framesOut.Add((byte)type, count);

    internal void ErrorSent(ErrorCode code)
    {
        if (_errors.Enabled)
        {
            _errors.Add(1, new KeyValuePair<string, object?>(ErrorCodeTag, (int)code));
        }
    }

    // WireName formats unknown codes into a new string; a fixed tag keeps the tag set bounded.
    private static string TagOf(FrameType type) => FrameTypes.IsDefined((byte)type) ? type.WireName() : "unknown";
}
