using System.Runtime.InteropServices;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Raises this process's open-file limit (Linux RLIMIT_NOFILE) towards a need, within the hard limit.</summary>
internal static partial class FileDescriptorLimit
{
    private const int RlimitNoFile = 7;

    /// <summary>The soft limit after trying to raise it to at least <paramref name="needed"/>; -1 where unknown (not Linux).</summary>
    public static long EnsureAtLeast(long needed)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNoFile, out RLimit limit) != 0)
        {
            return -1;
        }

        if (limit.Current >= (ulong)needed)
        {
            return (long)limit.Current;
        }

        var raised = new RLimit { Current = Math.Min((ulong)needed, limit.Maximum), Maximum = limit.Maximum };
        return SetRLimit(RlimitNoFile, in raised) == 0 ? (long)raised.Current : (long)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
