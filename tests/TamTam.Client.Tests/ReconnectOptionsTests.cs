using TamTam.Client;

namespace TamTam.Client.Tests;

/// <summary>The reconnection policy: exponential, capped, jittered waits and checked values.</summary>
public sealed class ReconnectOptionsTests
{
    [Fact]
    public void Waits_double_from_the_initial_delay_up_to_the_cap_each_jittered_in_the_upper_half_of_its_step()
    {
        var policy = new ReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
        var random = new Random(7);
        double[] steps = [100, 200, 400, 800, 1000, 1000, 1000];
        for (int attempt = 1; attempt <= steps.Length; attempt++)
        {
            for (int sample = 0; sample < 50; sample++)
            {
                double wait = policy.DelayBefore(attempt, random).TotalMilliseconds;
                Assert.InRange(wait, steps[attempt - 1] / 2, steps[attempt - 1]);
            }
        }

        Assert.InRange(policy.DelayBefore(int.MaxValue, random).TotalMilliseconds, 500, 1000);
    }

    [Fact]
    public void Jitter_spreads_the_waits_of_clients_cut_off_together()
    {
        var policy = new ReconnectOptions();
        var random = new Random(11);
        HashSet<TimeSpan> waits = [.. Enumerable.Range(0, 20).Select(_ => policy.DelayBefore(3, random))];
        Assert.True(waits.Count > 15);
    }

    [Theory]
    [InlineData(0, 100, 1000, "MaxAttempts")]
    [InlineData(3, 0, 1000, "InitialDelay")]
    [InlineData(3, 500, 100, "InitialDelay")]
    public void Bad_values_are_refused_naming_the_property(int attempts, int initialMs, int maxMs, string property)
    {
        var options = new TamTamClientOptions
        {
            Reconnect = new ReconnectOptions
            {
                MaxAttempts = attempts,
                InitialDelay = TimeSpan.FromMilliseconds(initialMs),
                MaxDelay = TimeSpan.FromMilliseconds(maxMs),
            },
        };

        ArgumentException refused = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(property, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconnection_is_on_by_default_and_can_be_turned_off()
    {
        Assert.True(new TamTamClientOptions().Reconnect.Enabled);
        Assert.False(ReconnectOptions.Disabled.Enabled);
    }
}
