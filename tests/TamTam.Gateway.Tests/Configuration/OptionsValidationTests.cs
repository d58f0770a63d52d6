using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Configuration;

/// <summary>Bad settings stop the start with a message that names the key.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Gateway_options_bind_from_the_tamtam_gateway_section()
    {
        GatewayOptions options = Resolve(new()
        {
            ["TamTam:Gateway:MaxBody"] = "4096",
            ["TamTam:Gateway:HeartbeatInterval"] = "00:00:05",
            ["TamTam:Gateway:StreamStallTimeout"] = "00:00:04",
        });

        Assert.Equal(4096, options.MaxBody);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), options.StreamStallTimeout);
    }

    [Theory]
    [InlineData("TamTam:Gateway:MaxBody", "100")]
    [InlineData("TamTam:Gateway:HeartbeatInterval", "00:00:00.010")]
    [InlineData("TamTam:Gateway:MaxInflight", "0")]
    [InlineData("TamTam:Gateway:PartSize", "0")]
    [InlineData("TamTam:Gateway:HandshakeTimeout", "00:00:00")]
    [InlineData("TamTam:Gateway:FrameTimeout", "00:00:00")]
    [InlineData("TamTam:Gateway:StreamStallTimeout", "00:00:00")]
    [InlineData("TamTam:Gateway:MaxUnfinishedFrameBytes", "1048575")]
    public void An_out_of_range_gateway_setting_is_refused_naming_its_key(string key, string value)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_gateway_key_is_refused_naming_it()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["TamTam:Gateway:MaxBodi"] = "4096" }));

        Assert.Contains("MaxBodi", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--TamTam:Tcp:Port=70000", "TamTam:Tcp:Port")]
    [InlineData("--TamTam:Http:Port=-1", "TamTam:Http:Port")]
    [InlineData("--TamTam:Cluster:SiloPort=0", "TamTam:Cluster:SiloPort")]
    [InlineData("--TamTam:Listen:Address=somewhere", "TamTam:Listen:Address")]
    [InlineData("--TamTam:DataPath=", "TamTam:DataPath")]
    public void An_out_of_range_host_setting_is_refused_naming_its_key(string argument, string key)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => TamTamSilo.CreateBuilder([argument]));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static GatewayOptions Resolve(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using ServiceProvider services = new ServiceCollection().AddLogging().AddTamTamGateway(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<GatewayOptions>>().Value;
    }
}
