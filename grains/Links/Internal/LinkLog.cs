using Microsoft.Extensions.Logging;

namespace TamTam.Grains.Links.Internal;

/// <summary>Log messages of link orchestrators (event ids 3000–3099, docs/architecture.md "Log event ids").</summary>
internal static partial class LinkLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Link {Link} activated: replayed {Records} records, {Pending} messages pending, next sequence {Next}")]
    public static partial void Activated(ILogger logger, string link, long records, int pending, ulong next);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Link {Link} could not make records durable; it refuses every call (501) and tries its storage again in {Delay}")]
    public static partial void CommitFailed(ILogger logger, string link, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Link {Link}: node {Node} lost its session ({Reason})")]
    public static partial void ObserverLost(ILogger logger, string link, string node, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Link {Link} could not report statuses to link {Target}; it retries on its next tick")]
    public static partial void ForwardFailed(ILogger logger, string link, string target, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Link {Link} compacted its log: checkpoint at {Checkpoint}, records below {Oldest} dropped")]
    public static partial void Compacted(ILogger logger, string link, long checkpoint, long oldest);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Link {Link}: node {Node} joined (session {Session})")]
    public static partial void Joined(ILogger logger, string link, string node, Guid session);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "Link {Link}: node {Node} left")]
    public static partial void Left(ILogger logger, string link, string node);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Link {Link} could not report to the link registry ({Reason}); the next report or LINKS query repairs it")]
    public static partial void RegistryReportFailed(ILogger logger, string link, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Link {Link} still cannot write to its storage ({Reason}); next try in {Delay}")]
    public static partial void ProbeFailed(ILogger logger, string link, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Link {Link} can write to its storage again; the activation stops once and the next replays its log")]
    public static partial void StorageRecovered(ILogger logger, string link);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Link {Link} archived {Count} final-state ledger entries to its audit log (accepted below {Oldest})")]
    public static partial void Archived(ILogger logger, string link, int count, long oldest);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Link {Link} could not archive its final-state ledger entries; it keeps its log uncompacted and tries again at the next compaction")]
    public static partial void ArchiveFailed(ILogger logger, string link, Exception exception);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Information, Message = "Link {Link}: message {MessageId} (sequence {Sequence}) canceled by {Requester}")]
    public static partial void Canceled(ILogger logger, string link, Guid messageId, ulong sequence, string requester);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Warning, Message = "Link {Link} could not read its audit log")]
    public static partial void ArchiveReadFailed(ILogger logger, string link, Exception exception);
}
