using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using TamTam.Client;
using TamTam.Gateway.Security;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// A real interchange as docs/security.md recommends it: anonymous access off, two live keys (as during a
/// rotation), TLS on TCP and HTTP with a certificate generated for the run and written to a temporary PFX, and
/// tight per-connection limits so that they can be reached by a test. Its own data directory.
/// </summary>
public sealed class SecureSiloFixture : IAsyncLifetime
{
    public const string KeyId = "k1";
    public const string RotatedKeyId = "k2";
    public const int MaxInflight = 4;
    public const int MaxFramesPerSecond = 200;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const string PfxPassword = "pfx-password";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"tamtam-secure-{Guid.NewGuid():N}");
    private readonly TestCertificate _certificate = TestCertificate.Create();
    private TamTamSilo? _silo;

    public static byte[] Key { get; } = AccessTokenIssuer.GenerateKey();

    public static byte[] RotatedKey { get; } = AccessTokenIssuer.GenerateKey();

    public TamTamSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    /// <summary>Mints with the first configured key.</summary>
    public AccessTokenIssuer Issuer { get; } = new(KeyId, Key);

    /// <summary>The server certificate without its key: what a client is told to trust.</summary>
    public X509Certificate2 ServerCertificate => _certificate.Public;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        string pfx = Path.Combine(_directory, "server.pfx");
        _certificate.WritePfx(pfx, PfxPassword);
        _silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={Path.Combine(_directory, "data")}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:Tls:CertificatePath={pfx}",
            $"--TamTam:Tls:Password={PfxPassword}",
            "--TamTam:Security:AllowAnonymous=false",
            $"--TamTam:Security:Keys:{KeyId}={Convert.ToBase64String(Key)}",
            $"--TamTam:Security:Keys:{RotatedKeyId}={Convert.ToBase64String(RotatedKey)}",
            $"--TamTam:Gateway:MaxInflight={MaxInflight}",
            $"--TamTam:Gateway:MaxFramesPerSecond={MaxFramesPerSecond}",
            $"--TamTam:Gateway:HandshakeTimeout={TimeSpan.FromSeconds(5).ToString("c", CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ]).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A token from <see cref="Issuer"/>, valid for an hour, for the given link, node, ports and destinations.</summary>
    public string Token(string link, string? node = null, string[]? bind = null, string[]? send = null) =>
        Issuer.Issue(new AccessToken { Link = link, Node = node, Bind = bind ?? [], Send = send ?? [], ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

    /// <summary>The .NET client over <c>tamtams://</c> (<paramref name="transport"/> "tls") or <c>wss://</c> ("wss"), trusting the test certificate.</summary>
    public TamTamClientOptions ClientOptions(string transport, string? token) => new()
    {
        Uri = transport switch
        {
            "tls" => Silo.TcpUri,
            "wss" => Silo.WebSocketUri,
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "tls or wss"),
        },
        AuthToken = token,
        TrustedServerCertificates = [ServerCertificate],
        ClientName = $"security-tests/{transport}",
        ConnectTimeout = Timeout,
        RequestTimeout = Timeout,
    };

    /// <summary>Accepts exactly the test certificate, for raw TLS connections.</summary>
    public bool IsServerCertificate(X509Certificate? certificate, SslPolicyErrors errors) =>
        certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && certificate.GetCertHashString() == _certificate.Certificate.GetCertHashString();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _certificate.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SecureSiloCollection : ICollectionFixture<SecureSiloFixture>
{
    public const string Name = "secure silo";
}
