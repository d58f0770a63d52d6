using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TamTam.Silo;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>
/// A deployment's settings put through the silo's own reading and checks: <see cref="TamTamSilo.CreateBuilder"/> (which
/// refuses bad values and unknown <c>TamTam:Cluster</c> keys), then every options class validated at start, as a start
/// would, without starting anything or reaching Azure.
/// </summary>
internal sealed class SiloConfiguration : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiloConfiguration(WebApplication app, string files)
    {
        _app = app;
        Files = files;
    }

    /// <summary>A temporary directory standing in for the volumes the deployment mounts (the TLS certificate's).</summary>
    public string Files { get; }

    public IServiceProvider Services => _app.Services;

    public SiloOptions Options => Services.GetRequiredService<SiloOptions>();

    /// <summary>The host's stop bound, which follows <c>TamTam:Shutdown:Timeout</c>.</summary>
    public TimeSpan ShutdownTimeout => Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

    /// <summary>
    /// Builds the silo from <paramref name="settings"/>. Secrets that are placeholders in git are replaced by working values
    /// of the same kind; files under <paramref name="mountedDirectory"/> (a secret volume) are made in a temporary directory.
    /// </summary>
    public static SiloConfiguration Build(IReadOnlyDictionary<string, string> settings, string? mountedDirectory = null)
    {
        string files = Directory.CreateTempSubdirectory("tamtam-infra-").FullName;
        var arguments = new List<string>();
        foreach ((string key, string value) in settings)
        {
            arguments.Add($"--{key}={Stand_in(key, value, mountedDirectory, files)}");
        }

        WebApplicationBuilder builder = TamTamSilo.CreateBuilder([.. arguments]);
        WebApplication app = builder.Build();
        var configuration = new SiloConfiguration(app, files);

        // What ValidateOnStart would do at start: every options class checked, unknown keys of the strict sections refused.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(Files, recursive: true);
    }

    private static string Stand_in(string key, string value, string? mountedDirectory, string files)
    {
        if (key.StartsWith("TamTam:Security:Keys:", StringComparison.OrdinalIgnoreCase) && value.StartsWith("REPLACE", StringComparison.Ordinal))
        {
            return Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }

        if (key.EndsWith(":ConnectionString", StringComparison.OrdinalIgnoreCase) && value.Contains("REPLACE", StringComparison.Ordinal))
        {
            return "UseDevelopmentStorage=true";
        }

        if (mountedDirectory is not null && value.StartsWith(mountedDirectory + "/", StringComparison.Ordinal))
        {
            string local = Path.Combine(files, value[(mountedDirectory.Length + 1)..]);
            WriteCertificateFiles(files);
            return local;
        }

        return value;
    }

    /// <summary>A self-signed certificate as the TLS secret's <c>tls.crt</c> and <c>tls.key</c> (PEM), made once.</summary>
    private static void WriteCertificateFiles(string directory)
    {
        string certificatePath = Path.Combine(directory, "tls.crt");
        if (File.Exists(certificatePath))
        {
            return;
        }

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=tamtam.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "tls.key"), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A period setting as the silo reads it (<c>c</c> format), or <paramref name="fallback"/> when absent.</summary>
    public static TimeSpan Period(IReadOnlyDictionary<string, string> settings, string key, TimeSpan fallback) =>
        settings.TryGetValue(key, out string? value) ? TimeSpan.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
