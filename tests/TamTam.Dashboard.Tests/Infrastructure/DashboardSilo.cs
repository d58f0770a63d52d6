using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Gateway.Security;

namespace TamTam.Dashboard.Tests.Infrastructure;

/// <summary>
/// A real interchange in-process, on free ports and its own data directory, and the address of its dashboard. Anonymous
/// access is on unless <see cref="SecureDashboardSilo"/> turns it off.
/// </summary>
public class DashboardSilo : IAsyncLifetime
{
    private readonly DataDirectory _data = new();
    private InProcessSilo? _silo;

    /// <summary>Where clients connect.</summary>
    public Uri Uri => Silo.Uri;

    /// <summary>The dashboard's page: <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Dashboard => new($"http://127.0.0.1:{Silo.Host.HttpEndPoint.Port}/");

    internal InProcessSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    protected virtual string[] ExtraArguments => [];

    public async Task InitializeAsync() => _silo = await InProcessSilo.StartAsync(_data.Path, ExtraArguments);

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }
}

/// <summary>A silo with anonymous access off and one key: the dashboard's API wants an operator's token.</summary>
public sealed class SecureDashboardSilo : DashboardSilo
{
    public const string KeyId = "dash";

    private static readonly byte[] Key = AccessTokenIssuer.GenerateKey();

    private readonly AccessTokenIssuer _issuer = new(KeyId, Key);

    protected override string[] ExtraArguments =>
        ["--TamTam:Security:AllowAnonymous=false", $"--TamTam:Security:Keys:{KeyId}={Convert.ToBase64String(Key)}"];

    /// <summary>A token for <paramref name="link"/> (<c>*</c>: an operator's), valid for an hour.</summary>
    public string Token(string link) =>
        _issuer.Issue(new AccessToken { Link = link, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });
}
