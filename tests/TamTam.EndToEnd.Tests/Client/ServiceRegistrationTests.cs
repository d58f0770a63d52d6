using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TamTam.Client;
using TamTam.Client.DependencyInjection;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Client;

/// <summary><c>services.AddTamTamClient(...)</c>: options bound from configuration, adjusted in code, and a factory that connects.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ServiceRegistrationTests(SharedSiloFixture silo)
{
    [Fact]
    public async Task AddTamTamClient_binds_the_configuration_section_and_connects_with_it()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TamTam:Client:Uri"] = silo.Uri.ToString(),
            ["TamTam:Client:ClientName"] = "billing-service/2.3",
            ["TamTam:Client:RequestTimeout"] = "00:00:20",
            ["TamTam:Client:Reconnect:MaxAttempts"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddTamTamClient(options => options with { ReceiveBufferCapacity = 16 });
        await using ServiceProvider provider = services.BuildServiceProvider();

        TamTamClientFactory factory = provider.GetRequiredService<TamTamClientFactory>();
        Assert.Equal(silo.Uri, factory.Options.Uri);
        Assert.Equal("billing-service/2.3", factory.Options.ClientName);
        Assert.Equal(TimeSpan.FromSeconds(20), factory.Options.RequestTimeout);
        Assert.Equal(3, factory.Options.Reconnect.MaxAttempts);
        Assert.True(factory.Options.Reconnect.Enabled);
        Assert.Equal(16, factory.Options.ReceiveBufferCapacity);

        await using TamTamClient client = await factory.ConnectAsync().Within();
        await client.JoinAsync(Links.Unique("di"), "worker").Within();
        Assert.True(await client.PingAsync().Within() >= TimeSpan.Zero);
    }

    [Fact]
    public void A_bad_configured_value_is_refused_with_a_message_naming_it()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TamTam:Client:ReceiveBufferCapacity"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddTamTamClient();
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<TamTamClientFactory>());
        Assert.Contains("ReceiveBufferCapacity", refused.Message, StringComparison.Ordinal);
        Assert.Contains("TamTam:Client", refused.Message, StringComparison.Ordinal);
    }
}
