using System.Globalization;

namespace TamTam.Bench.Workloads;

/// <summary>What every workload run shares.</summary>
internal static class Workload
{
    /// <summary>The run's date as the results carry it (UTC).</summary>
    public static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Waits for <paramref name="finished"/>; false when <paramref name="limit"/> fired first.</summary>
    public static async Task<bool> WaitAsync(Task finished, CancellationToken limit)
    {
        try
        {
            await finished.WaitAsync(limit);
            return true;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return false;
        }
    }
}
