using System.Security.Cryptography.X509Certificates;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// The .NET client over TLS: <c>tamtams://</c> (TLS on the TCP listener) and <c>wss://</c> (HTTPS on the HTTP
/// listener), each with tokens, through a whole acknowledged exchange; and what a client refuses.
/// </summary>
[Collection(SecureSiloCollection.Name)]
public sealed class TlsTransportTests(SecureSiloFixture silo)
{
    private static readonly TimeSpan Timeout = SecureSiloFixture.Timeout;

    public static TheoryData<string> Transports => new() { "tls", "wss" };

    [Fact]
    public void The_silo_announces_tls_uris()
    {
        Assert.True(silo.Silo.UsesTls);
        Assert.Equal("tamtams", silo.Silo.TcpUri.Scheme);
        Assert.Equal("wss", silo.Silo.WebSocketUri.Scheme);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Join_bind_send_deliver_ack_and_status_over_tls_with_tokens(string transport)
    {
        string link = $"tls-{transport}-{Guid.NewGuid():N}"[..24];
        string listenerToken = silo.Token(link, node: "listener", bind: ["invoices/**"]);
        string senderToken = silo.Token(link, node: "sender", send: ["invoices/*"]);

        await using TamTamClient listener = await TamTamClient.ConnectAsync(silo.ClientOptions(transport, listenerToken)).AsTask().WaitAsync(Timeout);
        await listener.JoinAsync(link, "listener").AsTask().WaitAsync(Timeout);
        await listener.BindAsync("invoices/new").AsTask().WaitAsync(Timeout);

        await using TamTamClient sender = await TamTamClient.ConnectAsync(silo.ClientOptions(transport, senderToken)).AsTask().WaitAsync(Timeout);
        await sender.JoinAsync(link, "sender").AsTask().WaitAsync(Timeout);

        byte[] payload = new byte[40_000];
        Random.Shared.NextBytes(payload);
        SendReceipt receipt = await sender.SendAsync("invoices/new", payload).AsTask().WaitAsync(Timeout);

        using var receiving = new CancellationTokenSource(Timeout);
        await using IAsyncEnumerator<IncomingMessage> inbox = listener.ReceiveAsync(receiving.Token).GetAsyncEnumerator(receiving.Token);
        Assert.True(await inbox.MoveNextAsync().AsTask().WaitAsync(Timeout));
        IncomingMessage message = inbox.Current;
        Assert.Equal((receipt.MessageId, "sender", "invoices/new"), (message.MessageId, message.SourceNode, message.Port));
        Assert.Equal(payload, message.Payload.ToArray());
        await message.AckAsync().AsTask().WaitAsync(Timeout);

        MessageStatus status = await receipt.Completion.WaitAsync(Timeout);
        Assert.Equal(FinalState.Delivered, status.State);

        // The same session is still held to its token: the listener may not send, the sender may not bind.
        TamTamException refusedSend = await Assert.ThrowsAsync<TamTamException>(() => listener.SendAsync("invoices/new", payload).AsTask().WaitAsync(Timeout));
        Assert.Equal(ErrorCode.Forbidden, refusedSend.Code);
        TamTamException refusedBind = await Assert.ThrowsAsync<TamTamException>(() => sender.BindAsync("invoices/new").AsTask().WaitAsync(Timeout));
        Assert.Equal(ErrorCode.Forbidden, refusedBind.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_refused_token_fails_connect_with_its_code(string transport)
    {
        string expired = silo.Issuer.Issue(new Gateway.Security.AccessToken { Link = "billing", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });

        TamTamConnectionException anonymous = await Assert.ThrowsAsync<TamTamConnectionException>(
            () => TamTamClient.ConnectAsync(silo.ClientOptions(transport, token: null)).AsTask().WaitAsync(Timeout));
        TamTamConnectionException late = await Assert.ThrowsAsync<TamTamConnectionException>(
            () => TamTamClient.ConnectAsync(silo.ClientOptions(transport, expired)).AsTask().WaitAsync(Timeout));

        Assert.Equal(ErrorCode.AuthFailed, anonymous.Code);
        Assert.Equal(ErrorCode.TokenExpired, late.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_server_certificate_the_client_does_not_trust_is_refused(string transport)
    {
        using TestCertificate other = TestCertificate.Create();
        TamTamClientOptions options = silo.ClientOptions(transport, silo.Token("billing")) with { TrustedServerCertificates = [other.Public] };

        TamTamConnectionException error = await Assert.ThrowsAsync<TamTamConnectionException>(
            () => TamTamClient.ConnectAsync(options).AsTask().WaitAsync(Timeout));

        Assert.Equal(ErrorCode.None, error.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_validation_callback_sees_the_server_certificate_and_decides(string transport)
    {
        X509Certificate? seen = null;
        TamTamClientOptions options = silo.ClientOptions(transport, silo.Token("billing")) with
        {
            TrustedServerCertificates = null,
            ServerCertificateValidation = (_, certificate, _, _) =>
            {
                seen = certificate;
                return certificate?.GetCertHashString() == silo.ServerCertificate.GetCertHashString();
            },
        };

        await using TamTamClient client = await TamTamClient.ConnectAsync(options).AsTask().WaitAsync(Timeout);
        await client.PingAsync().AsTask().WaitAsync(Timeout);

        Assert.NotNull(seen);
    }

    [Fact]
    public async Task Plain_tcp_to_the_tls_listener_does_not_get_a_session()
    {
        var options = new TamTamClientOptions
        {
            Uri = new Uri($"tamtam://{silo.Silo.TcpEndPoint}"),
            AuthToken = silo.Token("billing"),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };

        Exception error = await Record.ExceptionAsync(() => TamTamClient.ConnectAsync(options).AsTask().WaitAsync(Timeout));

        Assert.True(error is TamTamConnectionException or TimeoutException, $"got {error}");
    }
}
