namespace TamTam.Storage;

/// <summary>
/// An earlier append to this log failed part-way (write or fsync), so what is on disk past the last
/// durable record is unknown. The log refuses further appends rather than risk acknowledging records
/// after a hole; dispose it and open it again, which recovers the tail.
/// </summary>
public sealed class SegmentLogFaultedException : IOException
{
    /// <summary>Creates the exception for log <paramref name="logName"/>, failed by <paramref name="cause"/>.</summary>
    public SegmentLogFaultedException(string logName, Exception cause)
        : base($"Segment log '{logName}' is faulted by an earlier failed write; reopen it to recover.", cause)
    {
        LogName = logName;
    }

    /// <summary>The name of the faulted log.</summary>
    public string LogName { get; }
}
