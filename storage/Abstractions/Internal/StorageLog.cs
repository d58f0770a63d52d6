using Microsoft.Extensions.Logging;

namespace TamTam.Storage.Internal;

/// <summary>The storage layer's log events. Event ids are stable (4000–4099, docs/architecture.md "Log event ids") so alerts can key on them.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "Segment log {LogName}: torn tail in {SegmentFile} truncated from {FileLength} to {ValidLength} bytes ({RecordCount} records kept in that segment)")]
    public static partial void TornTailTruncated(this ILogger logger, string logName, string segmentFile, long fileLength, long validLength, long recordCount);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug,
        Message = "Segment log {LogName}: new segment {SegmentFile}")]
    public static partial void SegmentStarted(this ILogger logger, string logName, string segmentFile);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug,
        Message = "Segment log {LogName}: deleted {SegmentCount} segments whose records are all below LSN {Lsn}")]
    public static partial void SegmentsDeleted(this ILogger logger, string logName, int segmentCount, long lsn);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error,
        Message = "Segment log {LogName}: a write failed; the log refuses appends until it is reopened and recovered")]
    public static partial void LogFaulted(this ILogger logger, Exception exception, string logName);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug,
        Message = "Segment log {LogName} opened: records {FirstLsn} to {NextLsn} (exclusive) in {SegmentCount} segments")]
    public static partial void LogOpened(this ILogger logger, string logName, long firstLsn, long nextLsn, int segmentCount);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error,
        Message = "Segment log {LogName}: group commit of {RecordCount} records from {CommitCount} callers failed; every caller in the batch was faulted")]
    public static partial void GroupCommitFailed(this ILogger logger, Exception exception, string logName, int recordCount, int commitCount);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information,
        Message = "Grain storage {StorageName}: deleted {FileCount} temporary files left by an interrupted write under {Path}")]
    public static partial void StaleTemporaryFilesDeleted(this ILogger logger, string storageName, int fileCount, string path);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Debug,
        Message = "Grain storage {StorageName}: ETag conflict on {StateName} of {GrainId}: stored {StoredETag}, caller had {CallerETag}")]
    public static partial void GrainStateConflict(this ILogger logger, string storageName, string stateName, string grainId, string? storedETag, string? callerETag);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information,
        Message = "Grain storage {StorageName} ready under {Path}")]
    public static partial void GrainStorageReady(this ILogger logger, string storageName, string path);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Debug,
        Message = "Payload store: payload {TransferId} committed ({TotalSize} bytes in {PartCount} parts)")]
    public static partial void PayloadCommitted(this ILogger logger, Guid transferId, long totalSize, int partCount);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Debug,
        Message = "Payload store: payload {TransferId} deleted")]
    public static partial void PayloadDeleted(this ILogger logger, Guid transferId);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Information,
        Message = "Payload store: deleted {EntryCount} leftovers of interrupted writes and deletes under {Path}")]
    public static partial void PayloadLeftoversDeleted(this ILogger logger, int entryCount, string path);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Information,
        Message = "Payload store: payload {TransferId} was staged by an earlier format; its journal was deleted and its parts are staged again")]
    public static partial void PayloadOldJournalDeleted(this ILogger logger, Guid transferId);

    [LoggerMessage(EventId = 4034, Level = LogLevel.Debug,
        Message = "Payload store: reading {Path} back ({Length} bytes) to find the parts it holds")]
    public static partial void PayloadReadBack(this ILogger logger, string path, long length);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Warning,
        Message = "Segment log {LogName}: torn tail in {SegmentBlob}: its records end at {ValidLength} of {BlobLength} bytes ({RecordCount} records kept); appends continue in a new segment")]
    public static partial void TornTailSealed(this ILogger logger, string logName, string segmentBlob, long blobLength, long validLength, long recordCount);

    [LoggerMessage(EventId = 4041, Level = LogLevel.Error,
        Message = "Segment log {LogName}: the lease on {LockBlob} could not be renewed before it ran out; the log refuses appends until it is reopened")]
    public static partial void LeaseLost(this ILogger logger, Exception exception, string logName, string lockBlob);

    [LoggerMessage(EventId = 4042, Level = LogLevel.Warning,
        Message = "Segment log {LogName}: releasing the lease on {LockBlob} failed; it runs out by itself within {LeaseDuration}")]
    public static partial void LeaseReleaseFailed(this ILogger logger, Exception exception, string logName, string lockBlob, TimeSpan leaseDuration);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Warning,
        Message = "Segment log {LogName}: the lease on {LockBlob} was held by {Holder}, which the cluster has declared dead; broken at once instead of waiting for it to run out")]
    public static partial void DeadHolderLeaseBroken(this ILogger logger, string logName, string lockBlob, string holder);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Information,
        Message = "Segment log {LogName}: the lease on {LockBlob} is held by {Holder}, which the cluster has not declared dead (yet); waiting for it to close the log or be declared dead")]
    public static partial void LiveHolderLeaseKept(this ILogger logger, string logName, string lockBlob, string holder);
}
