using TamTam.Gateway.Diagnostics;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>Builds the HEALTH_REPORT a session answers with (docs/protocol.md, section 5.6).</summary>
internal static class HealthReportBuilder
{
    private static readonly Utf8Text SiloUptime = "silo.uptime_ms";
    private static readonly Utf8Text SiloSessions = "silo.sessions";
    private static readonly Utf8Text SiloMessagesIn = "silo.messages_in";
    private static readonly Utf8Text SiloMessagesOut = "silo.messages_out";
    private static readonly Utf8Text SiloErrors = "silo.errors";
    private static readonly Utf8Text SessionUptime = "session.uptime_ms";
    private static readonly Utf8Text SessionMessagesIn = "session.messages_in";
    private static readonly Utf8Text SessionMessagesOut = "session.messages_out";
    private static readonly Utf8Text SessionErrors = "session.errors";
    private static readonly Utf8Text SessionRtt = "session.rtt_us";

    public static HealthReportFrame Build(GatewayStatistics silo, SessionCounters session, TimeSpan sessionUptime, long rttMicroseconds) =>
        new(HealthState.Healthy,
        [
            new HealthFigure(SiloUptime, (long)silo.Uptime.TotalMilliseconds),
            new HealthFigure(SiloSessions, silo.Sessions),
            new HealthFigure(SiloMessagesIn, silo.FramesIn),
            new HealthFigure(SiloMessagesOut, silo.FramesOut),
            new HealthFigure(SiloErrors, silo.Errors),
            new HealthFigure(SessionUptime, (long)sessionUptime.TotalMilliseconds),
            new HealthFigure(SessionMessagesIn, session.FramesIn),
            new HealthFigure(SessionMessagesOut, session.FramesOut),
            new HealthFigure(SessionErrors, session.Errors),
            new HealthFigure(SessionRtt, rttMicroseconds),
        ]);
}
