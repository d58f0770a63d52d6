using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Links.Internal;

/// <summary>Log messages of link orchestrators (event ids 3001–3099).</summary>
internal static partial class LinkLog
{
    [LoggerMessage(3001, LogLevel.Information, "Link {Link} activated: replayed {Records} records, {Pending} messages pending, next sequence {Next}")]
    public static partial void Activated(ILogger logger, string link, long records, int pending, ulong next);

    [LoggerMessage(3002, LogLevel.Error, "Link {Link} could not make records durable; it refuses every call (501) and tries its storage again in {Delay}")]
    public static partial void CommitFailed(ILogger logger, string link, TimeSpan delay, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "Link {Link}: node {Node} lost its session ({Reason})")]
    public static partial void ObserverLost(ILogger logger, string link, string node, string reason);

    [LoggerMessage(3004, LogLevel.Warning, "Link {Link} could not report statuses to link {Target}; it retries on its next tick")]
    public static partial void ForwardFailed(ILogger logger, string link, string target, Exception exception);

    [LoggerMessage(3005, LogLevel.Information, "Link {Link} compacted its log: checkpoint at {Checkpoint}, records below {Oldest} dropped")]
    public static partial void Compacted(ILogger logger, string link, long checkpoint, long oldest);

    [LoggerMessage(3006, LogLevel.Debug, "Link {Link}: node {Node} joined (session {Session})")]
    public static partial void Joined(ILogger logger, string link, string node, Guid session);

    [LoggerMessage(3007, LogLevel.Debug, "Link {Link}: node {Node} left")]
    public static partial void Left(ILogger logger, string link, string node);

    [LoggerMessage(3008, LogLevel.Debug, "Link {Link} could not report to the link registry ({Reason}); the next report or LINKS query repairs it")]
    public static partial void RegistryReportFailed(ILogger logger, string link, string reason);

    [LoggerMessage(3009, LogLevel.Warning, "Link {Link} still cannot write to its storage ({Reason}); next try in {Delay}")]
    public static partial void ProbeFailed(ILogger logger, string link, TimeSpan delay, string reason);

    [LoggerMessage(3010, LogLevel.Information, "Link {Link} can write to its storage again; the activation stops once and the next replays its log")]
    public static partial void StorageRecovered(ILogger logger, string link);
}
