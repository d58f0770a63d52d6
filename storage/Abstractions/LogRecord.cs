namespace TamTam.Storage;

/// <summary>One record read back from an <see cref="ISegmentLog"/>.</summary>
/// <param name="Lsn">The record's log sequence number: its position in the log, counting from 1.</param>
/// <param name="Data">
/// The record's bytes. They belong to the reader: they stay valid after the enumeration moves on and
/// are never overwritten (they may share a larger read buffer with neighbouring records).
/// </param>
public readonly record struct LogRecord(long Lsn, ReadOnlyMemory<byte> Data);
