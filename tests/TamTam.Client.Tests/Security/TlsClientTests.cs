using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Security;

/// <summary><c>tamtams://</c>: the client's TLS, its certificate checks, and the access token in HELLO.</summary>
public sealed class TlsClientTests : IDisposable
{
    private const string Token = "tt1.eyJraWQiOiJrMSJ9.signature";

    private readonly X509Certificate2 _certificate = SelfSignedCertificate.Create();

    [Fact]
    public async Task Tamtams_runs_the_session_over_tls_with_the_token_in_hello_and_closes_with_close_notify()
    {
        await using TlsScriptedServer server = TlsScriptedServer.Start(_certificate);
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(server) with { AuthToken = Token }).AsTask();

        await using TlsScriptedServer.Connection peer = await server.AcceptAsync();
        (HelloFrame hello, uint correlation) = await peer.ExpectAsync<HelloFrame>();
        Assert.Equal(Token, Encoding.ASCII.GetString(hello.AuthToken.Span));
        await peer.SendAsync(ScriptedPeer.DefaultWelcome, correlation);
        TamTamClient client = await connecting.Within();

        Task ping = client.PingAsync().AsTask();
        (PingFrame sent, uint pingCorrelation) = await peer.ExpectAsync<PingFrame>();
        await peer.SendAsync(new PongFrame(sent.SentAt, 0), pingCorrelation);
        await ping.Within();

        // The client's close lingers until the server closes its side, as the gateway does once it has read the end.
        Task disposing = client.DisposeAsync().AsTask();
        await peer.WaitForCloseAsync();
        await peer.DisposeAsync();
        await disposing.Within();
    }

    [Fact]
    public async Task A_server_certificate_outside_the_system_trust_is_refused()
    {
        await using TlsScriptedServer server = TlsScriptedServer.Start(_certificate);
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(server) with { TrustedServerCertificates = null }).AsTask();
        Task serverSide = RefusedPeerAsync(server);

        TamTamConnectionException error = await Assert.ThrowsAsync<TamTamConnectionException>(() => connecting.Within());

        Assert.Equal(ErrorCode.None, error.Code);
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationException>(error.InnerException);
        await serverSide.Within();
    }

    [Fact]
    public async Task A_trusted_certificate_for_another_host_name_is_still_refused()
    {
        using X509Certificate2 elsewhere = SelfSignedCertificate.Create("elsewhere.example", loopbackAddress: false);
        await using TlsScriptedServer server = TlsScriptedServer.Start(elsewhere);
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(server) with { TrustedServerCertificates = [elsewhere.PublicPart()] }).AsTask();
        Task serverSide = RefusedPeerAsync(server);

        await Assert.ThrowsAsync<TamTamConnectionException>(() => connecting.Within());
        await serverSide.Within();
    }

    [Fact]
    public async Task A_validation_callback_replaces_the_checks()
    {
        await using TlsScriptedServer server = TlsScriptedServer.Start(_certificate);
        string? seen = null;
        TamTamClientOptions options = Options(server) with
        {
            TrustedServerCertificates = null,
            ServerCertificateValidation = (_, certificate, _, _) =>
            {
                seen = certificate?.GetCertHashString();
                return seen == _certificate.GetCertHashString();
            },
        };
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(options).AsTask();

        await using TlsScriptedServer.Connection peer = await server.AcceptAsync();
        (_, uint correlation) = await peer.ExpectAsync<HelloFrame>();
        await peer.SendAsync(ScriptedPeer.DefaultWelcome, correlation);
        await using TamTamClient client = await connecting.Within();

        Assert.Equal(_certificate.GetCertHashString(), seen);
    }

    [Theory]
    [InlineData(ErrorCode.AuthFailed)]
    [InlineData(ErrorCode.TokenExpired)]
    public async Task A_refused_token_fails_connect_with_the_server_code(ErrorCode code)
    {
        await using TlsScriptedServer server = TlsScriptedServer.Start(_certificate);
        Task<TamTamClient> connecting = TamTamClient.ConnectAsync(Options(server) with { AuthToken = Token }).AsTask();

        await using TlsScriptedServer.Connection peer = await server.AcceptAsync();
        (_, uint correlation) = await peer.ExpectAsync<HelloFrame>();
        await peer.SendAsync(new ErrorFrame(code, "refused", Fatal: true), correlation);

        TamTamConnectionException error = await Assert.ThrowsAsync<TamTamConnectionException>(() => connecting.Within());
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task Tamtams_without_a_host_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri("tamtams:///x") }).AsTask());

    public void Dispose() => _certificate.Dispose();

    /// <summary>
    /// The server's side of a connection the client refuses: under TLS 1.3 the server's handshake may complete
    /// before the client judges the certificate, so it either fails or sees the client go.
    /// </summary>
    private static async Task RefusedPeerAsync(TlsScriptedServer server)
    {
        try
        {
            await using TlsScriptedServer.Connection peer = await server.AcceptAsync();
            await Assert.ThrowsAnyAsync<Exception>(peer.ExpectAsync<HelloFrame>);
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            // Refused during the server's own handshake.
        }
    }

    private TamTamClientOptions Options(TlsScriptedServer server) => new()
    {
        Uri = server.Uri,
        TrustedServerCertificates = [_certificate.PublicPart()],
        ConnectTimeout = TestTimeout.Default,
        RequestTimeout = TestTimeout.Default,
    };
}
