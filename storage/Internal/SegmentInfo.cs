namespace TamTam.Storage.Internal;

/// <summary>One segment file of a log: the LSN of its first record and its full path.</summary>
internal readonly record struct SegmentInfo(long FirstLsn, string Path);
