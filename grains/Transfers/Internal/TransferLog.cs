using Microsoft.Extensions.Logging;
using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers.Internal;

internal static partial class TransferLog
{
    [LoggerMessage(3101, LogLevel.Information, "Transfer {TransferId} started by {Link}:{Node}: {TotalSize} bytes in {PartCount} parts")]
    public static partial void Started(ILogger logger, Guid transferId, string link, string node, long totalSize, int partCount);

    [LoggerMessage(3102, LogLevel.Information, "Transfer {TransferId} discarded ({Reason}); its staged parts are removed")]
    public static partial void Discarded(ILogger logger, Guid transferId, ErrorCode reason);

    [LoggerMessage(3103, LogLevel.Warning, "Transfer {TransferId} abandoned past its staging deadline with {Staged} of {PartCount} parts staged")]
    public static partial void Abandoned(ILogger logger, Guid transferId, int staged, int partCount);

    [LoggerMessage(3104, LogLevel.Information, "Transfer {TransferId} ended {Phase} (final state {State}); its payload is removed")]
    public static partial void Ended(ILogger logger, Guid transferId, TransferPhase phase, string state);

    [LoggerMessage(3105, LogLevel.Warning, "Link {Link} could not report the end of transfer {TransferId}; it is removed at its deadline")]
    public static partial void EndNotLearned(ILogger logger, string link, Guid transferId, Exception exception);

    [LoggerMessage(3106, LogLevel.Warning, "Transfer {TransferId} could not be woken at start; its deadlines are watched once something reaches it")]
    public static partial void NotWoken(ILogger logger, Guid transferId, Exception exception);

    [LoggerMessage(3107, LogLevel.Information, "Woke {Live} live transfers at start")]
    public static partial void Woken(ILogger logger, int live);

    [LoggerMessage(3108, LogLevel.Warning, "The live transfers could not be woken at start; each is watched once something reaches it")]
    public static partial void WakeFailed(ILogger logger, Exception exception);
}
