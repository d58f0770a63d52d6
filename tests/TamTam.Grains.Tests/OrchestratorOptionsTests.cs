using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TamTam.Grains.Links;

namespace TamTam.Grains.Tests;

public sealed class OrchestratorOptionsTests
{
    [Fact]
    public void Configured_retry_delays_replace_the_default_schedule()
    {
        OrchestratorOptions options = Bind(new()
        {
            ["TamTam:Links:RetryDelays:0"] = "00:00:03",
            ["TamTam:Links:RetryDelays:1"] = "00:00:07",
            ["TamTam:Links:MaxAttempts"] = "4",
            ["TamTam:Links:RelinkTimeout"] = "00:00:02",
        });

        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7)], options.RetryDelays);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RetryDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(7), options.RetryDelay(2));
        Assert.Equal(TimeSpan.FromSeconds(7), options.RetryDelay(9));
        Assert.Equal(4, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RelinkTimeout);
    }

    [Fact]
    public void Ttl_0_takes_the_default_ttl_and_a_zero_default_ttl_means_no_deadline()
    {
        const long acceptedAt = 1_700_000_000_000_000;
        var options = new OrchestratorOptions();
        Assert.Equal(acceptedAt + (long)TimeSpan.FromDays(7).TotalMicroseconds, options.DeadlineUs(0, acceptedAt));
        Assert.Equal(acceptedAt + 1_500_000, options.DeadlineUs(1_500, acceptedAt));

        var none = new OrchestratorOptions { DefaultTtl = TimeSpan.Zero };
        Assert.Equal(0, none.DeadlineUs(0, acceptedAt));
        Assert.Equal(acceptedAt + 1_500_000, none.DeadlineUs(1_500, acceptedAt));
    }

    [Fact]
    public void Unconfigured_options_keep_the_documented_defaults()
    {
        OrchestratorOptions options = Bind([]);

        Assert.Null(options.RetryDelays);
        Assert.Equal([1, 2, 5, 10, 30, 30], Enumerable.Range(1, 6).Select(n => options.RetryDelay(n).TotalSeconds));
        Assert.Equal(10, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AckTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RelinkTimeout);
    }

    private static OrchestratorOptions Bind(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddOptions<OrchestratorOptions>().Bind(configuration.GetSection(OrchestratorOptions.Section));
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
    }
}
