using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TamTam.Grains.Interchange;
using TamTam.Grains.Links;
using TamTam.Grains.Transfers;

namespace TamTam.Grains.Tests;

/// <summary>
/// TamTam:Links and TamTam:Transfers are checked when the host starts, as TamTam:Gateway is: a misspelt key or a
/// value out of range stops the start with a message that names the key.
/// </summary>
public sealed class GrainOptionsValidationTests
{
    [Theory]
    [InlineData("TamTam:Links:MaxAttempts", "0")]
    [InlineData("TamTam:Links:DeliveryWindow", "0")]
    [InlineData("TamTam:Links:MaxInboxMessages", "-1")]
    [InlineData("TamTam:Links:AckTimeout", "00:00:00")]
    [InlineData("TamTam:Links:TimerPeriod", "-00:00:01")]
    [InlineData("TamTam:Links:RetryDelays:0", "-00:00:01")]
    [InlineData("TamTam:Links:DefaultTtl", "-00:00:01")]
    [InlineData("TamTam:Links:DuplicateWindowIds", "-1")]
    [InlineData("TamTam:Links:StorageProbeDelay", "00:00:00")]
    public void A_link_setting_out_of_range_fails_at_start_naming_its_key(string key, string value)
    {
        using ServiceProvider services = Build(new() { [key] = value });

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TamTam:Transfers:StagingTimeout", "00:00:00")]
    [InlineData("TamTam:Transfers:TimerPeriod", "00:00:00")]
    [InlineData("TamTam:Transfers:CleanupGrace", "-00:00:01")]
    [InlineData("TamTam:Transfers:DefaultTtl", "-00:00:01")]
    public void A_transfer_setting_out_of_range_fails_at_start_naming_its_key(string key, string value)
    {
        using ServiceProvider services = Build(new() { [key] = value });

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TamTam:Interchange:DefaultTtl", "0")]
    [InlineData("TamTam:Interchange:DefaultTtl", "256")]
    [InlineData("TamTam:Interchange:RouteLifetime", "00:00:00")]
    [InlineData("TamTam:Interchange:OfferRetry", "-00:00:01")]
    [InlineData("TamTam:Interchange:OfferTimeout", "00:00:00")]
    [InlineData("TamTam:Interchange:Policy", "ring_first")]
    [InlineData("TamTam:Interchange:Policy", "")]
    public void An_interchange_setting_out_of_range_fails_at_start_naming_its_key(string key, string value)
    {
        using ServiceProvider services = Build(new() { [key] = value });

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TamTam:Interchange:DefaultTtel", "DefaultTtel")]
    [InlineData("TamTam:Links:MaxAttemps", "MaxAttemps")]
    [InlineData("TamTam:Transfers:StagingTimout", "StagingTimout")]
    public void A_misspelt_key_fails_at_start_naming_it(string key, string misspelt)
    {
        using ServiceProvider services = Build(new() { [key] = "1" });

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(misspelt, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("direct-when-known", false)]
    [InlineData("ring-first", true)]
    public void The_interchange_policy_is_direct_when_known_unless_configured_ring_first(string? policy, bool ringFirst)
    {
        using ServiceProvider services = Build(policy is null ? [] : new() { ["TamTam:Interchange:Policy"] = policy });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(ringFirst, services.GetRequiredService<IOptions<InterchangeOptions>>().Value.IsRingFirst);
    }

    [Fact]
    public void The_documented_defaults_and_configured_values_pass()
    {
        using ServiceProvider services = Build(new()
        {
            ["TamTam:Links:RetryDelays:0"] = "00:00:03",
            ["TamTam:Links:MaxAttempts"] = "4",
            ["TamTam:Transfers:StagingTimeout"] = "00:00:02",

            // No deadline for ttl 0 and no duplicate window: both documented settings.
            ["TamTam:Links:DefaultTtl"] = "00:00:00",
            ["TamTam:Transfers:DefaultTtl"] = "00:00:00",
            ["TamTam:Links:DuplicateWindowIds"] = "0",
        });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(4, services.GetRequiredService<IOptions<OrchestratorOptions>>().Value.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), services.GetRequiredService<IOptions<TransferOptions>>().Value.StagingTimeout);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddTamTamLinks(configuration).AddTamTamTransfers(configuration).AddTamTamInterchange(configuration)
            .BuildServiceProvider();
    }
}
