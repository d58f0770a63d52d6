using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Security;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Security;

/// <summary>Security, limit and TLS settings: bound from their keys, and refused at start with a message naming the key.</summary>
public sealed class SecurityConfigurationTests : IDisposable
{
    private static readonly string GoodKey = Convert.ToBase64String(AccessTokenIssuer.GenerateKey());

    private readonly string _directory = Directory.CreateTempSubdirectory("tamtam-tls-config-").FullName;

    [Fact]
    public void The_defaults_allow_anonymous_sessions_and_hold_no_keys()
    {
        SecurityOptions options = Resolve<SecurityOptions>([]);

        Assert.True(options.AllowAnonymous);
        Assert.Empty(options.Keys);
    }

    [Fact]
    public void Keys_and_anonymous_access_bind_from_tamtam_security()
    {
        SecurityOptions options = Resolve<SecurityOptions>(new()
        {
            ["TamTam:Security:AllowAnonymous"] = "false",
            ["TamTam:Security:Keys:k1"] = GoodKey,
            ["TamTam:Security:Keys:k2"] = GoodKey,
        });

        Assert.False(options.AllowAnonymous);
        Assert.Equal(["k1", "k2"], options.Keys.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("TamTam:Security:Keys:k1", "c2hvcnQ=", "at least 32 bytes")]
    [InlineData("TamTam:Security:Keys:k1", "not base64!", "base64")]
    [InlineData("TamTam:Security:Keys:k 1", "", "key id")]
    public void A_bad_key_is_refused_naming_it_and_never_showing_it(string key, string value, string reason)
    {
        string setting = value.Length == 0 ? GoodKey : value;
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Resolve<SecurityOptions>(new() { [key] = setting }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_access_off_without_a_key_is_refused()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => Resolve<SecurityOptions>(new() { ["TamTam:Security:AllowAnonymous"] = "false" }));

        Assert.Contains("TamTam:Security:Keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_security_key_is_refused_naming_it()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(
            () => Resolve<SecurityOptions>(new() { ["TamTam:Security:AllowAnonymus"] = "false" }));

        Assert.Contains("AllowAnonymus", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TamTam:Gateway:MaxFramesPerSecond", "-1")]
    [InlineData("TamTam:Gateway:FrameBurst", "-1")]
    public void A_negative_limit_is_refused_naming_its_key(string key, string value)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Resolve<GatewayOptions>(new() { [key] = value }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_bind_from_tamtam_gateway_and_default_to_off()
    {
        GatewayOptions defaults = Resolve<GatewayOptions>([]);
        GatewayOptions set = Resolve<GatewayOptions>(new() { ["TamTam:Gateway:MaxFramesPerSecond"] = "500", ["TamTam:Gateway:FrameBurst"] = "50" });

        Assert.Equal((0, 0), (defaults.MaxFramesPerSecond, defaults.FrameBurst));
        Assert.Equal((500, 50), (set.MaxFramesPerSecond, set.FrameBurst));
    }

    [Fact]
    public void A_missing_certificate_file_stops_the_start_naming_the_key()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => TamTamSilo.CreateBuilder([$"--TamTam:Tls:CertificatePath={Path.Combine(_directory, "missing.pfx")}"]));

        Assert.Contains("TamTam:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pfx_with_the_wrong_password_stops_the_start_without_showing_it()
    {
        using TestCertificate certificate = TestCertificate.Create();
        string pfx = Path.Combine(_directory, "server.pfx");
        certificate.WritePfx(pfx, "right");

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => TamTamSilo.CreateBuilder([$"--TamTam:Tls:CertificatePath={pfx}", "--TamTam:Tls:Password=wrong-password"]));

        Assert.Contains("TamTam:Tls:Password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pem_certificate_without_its_key_stops_the_start_and_with_it_loads()
    {
        using TestCertificate certificate = TestCertificate.Create();
        string pem = Path.Combine(_directory, "server.crt");
        string key = Path.Combine(_directory, "server.key");
        certificate.WritePem(pem, key);

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => TamTamSilo.CreateBuilder([$"--TamTam:Tls:CertificatePath={pem}"]));
        Assert.Contains("TamTam:Tls:KeyPath", error.Message, StringComparison.Ordinal);

        Assert.NotNull(TamTamSilo.CreateBuilder([$"--TamTam:Tls:CertificatePath={pem}", $"--TamTam:Tls:KeyPath={key}"]));
    }

    [Fact]
    public void A_key_path_without_a_certificate_stops_the_start()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => TamTamSilo.CreateBuilder(["--TamTam:Tls:KeyPath=server.key"]));

        Assert.Contains("TamTam:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static T Resolve<T>(Dictionary<string, string?> settings)
        where T : class
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using ServiceProvider services = new ServiceCollection().AddLogging().AddTamTamGateway(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<T>>().Value;
    }
}
