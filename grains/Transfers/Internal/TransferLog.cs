using Microsoft.Extensions.Logging;
using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers.Internal;

/// <summary>Log events of transfer descriptors (3100–3199, docs/architecture.md "Log event ids").</summary>
internal static partial class TransferLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Transfer {TransferId} started by {Link}:{Node}: {TotalSize} bytes in {PartCount} parts")]
    public static partial void Started(ILogger logger, Guid transferId, string link, string node, long totalSize, int partCount);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Transfer {TransferId} discarded ({Reason}); its staged parts are removed")]
    public static partial void Discarded(ILogger logger, Guid transferId, ErrorCode reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Transfer {TransferId} abandoned past its staging deadline with {Staged} of {PartCount} parts staged")]
    public static partial void Abandoned(ILogger logger, Guid transferId, int staged, int partCount);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Transfer {TransferId} ended {Phase} (final state {State}); its payload is removed")]
    public static partial void Ended(ILogger logger, Guid transferId, TransferPhase phase, string state);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Link {Link} could not report the end of transfer {TransferId}; it is removed at its deadline")]
    public static partial void EndNotLearned(ILogger logger, string link, Guid transferId, Exception exception);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Transfer {TransferId} could not be woken at start; its deadlines are watched once something reaches it")]
    public static partial void NotWoken(ILogger logger, Guid transferId, Exception exception);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Woke {Live} live transfers at start")]
    public static partial void Woken(ILogger logger, int live);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Warning, Message = "The live transfers could not be woken at start; each is watched once something reaches it")]
    public static partial void WakeFailed(ILogger logger, Exception exception);
}
