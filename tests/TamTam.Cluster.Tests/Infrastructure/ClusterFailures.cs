using Xunit.Abstractions;

namespace TamTam.Cluster.Tests.Infrastructure;

internal static class ClusterFailures
{
    /// <summary>Runs <paramref name="body"/>; if it fails, the silos' last output goes to the test's output first.</summary>
    public static async Task ShowingSiloOutputAsync(this SiloCluster cluster, ITestOutputHelper output, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            output.WriteLine(cluster.DescribeOutputs());
            throw;
        }
    }
}
