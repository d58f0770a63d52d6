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
}
