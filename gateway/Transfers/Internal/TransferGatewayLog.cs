using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Transfers.Internal;

internal static partial class TransferGatewayLog
{
    [LoggerMessage(2201, LogLevel.Debug, "Transfer {TransferId}: {Count} parts of progress were not recorded ({Reason}); the payload store still holds them")]
    public static partial void ProgressNotRecorded(ILogger logger, Guid transferId, int count, string reason);

    [LoggerMessage(2202, LogLevel.Information, "Transfer {TransferId} from connection {ConnectionId}: {Held} of {PartCount} parts already held")]
    public static partial void Resumed(ILogger logger, Guid transferId, string connectionId, int held, int partCount);

    [LoggerMessage(2203, LogLevel.Warning, "Transfer {TransferId}: the payload's SHA-256 does not match the SEND's; the upload is discarded (401)")]
    public static partial void DigestMismatch(ILogger logger, Guid transferId);

    [LoggerMessage(2204, LogLevel.Warning, "Transfer {TransferId} failed at connection {ConnectionId}: {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, Guid transferId, string connectionId, string reason);

    [LoggerMessage(2205, LogLevel.Debug, "Transfer {TransferId}: node {Node} answered part {Index} with {Result}")]
    public static partial void PartRefused(ILogger logger, Guid transferId, string node, uint index, ErrorCode result);
}
