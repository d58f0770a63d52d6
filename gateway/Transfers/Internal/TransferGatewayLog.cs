using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>The gateway's transfer log events (2200–2299, docs/architecture.md "Log event ids").</summary>
internal static partial class TransferGatewayLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Transfer {TransferId}: {Count} parts of progress were not recorded ({Reason}); the payload store still holds them")]
    public static partial void ProgressNotRecorded(ILogger logger, Guid transferId, int count, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Transfer {TransferId} from connection {ConnectionId}: {Held} of {PartCount} parts already held")]
    public static partial void Resumed(ILogger logger, Guid transferId, string connectionId, int held, int partCount);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Transfer {TransferId}: the payload's SHA-256 does not match the SEND's; the upload is discarded (401)")]
    public static partial void DigestMismatch(ILogger logger, Guid transferId);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Transfer {TransferId} failed at connection {ConnectionId}: {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, Guid transferId, string connectionId, string reason);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Debug, Message = "Transfer {TransferId}: node {Node} answered part {Index} with {Result}")]
    public static partial void PartRefused(ILogger logger, Guid transferId, string node, uint index, ErrorCode result);
}
