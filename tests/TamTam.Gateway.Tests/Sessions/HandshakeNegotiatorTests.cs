using TamTam.Gateway.Sessions.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Sessions;

public sealed class HandshakeNegotiatorTests
{
    private static readonly GatewayOptions Options = new();

    [Fact]
    public void Zero_max_body_and_heartbeat_leave_the_choice_to_the_server()
    {
        SessionTerms terms = HandshakeNegotiator.Negotiate(Hello(), Options, 1);

        Assert.Equal(1, terms.Version);
        Assert.Equal(Options.MaxBody, terms.MaxBody);
        Assert.Equal(Options.HeartbeatInterval, terms.Heartbeat);
    }

    [Fact]
    public void The_maximum_body_is_the_smaller_of_both_sides()
    {
        Assert.Equal(2048, HandshakeNegotiator.Negotiate(Hello(maxBody: 2048), Options, 1).MaxBody);
        Assert.Equal(Options.MaxBody, HandshakeNegotiator.Negotiate(Hello(maxBody: ProtocolLimits.MaxBodyCeiling), Options, 1).MaxBody);
    }

    [Fact]
    public void A_part_always_fits_one_frame_under_the_negotiated_maximum_body()
    {
        SessionTerms terms = HandshakeNegotiator.Negotiate(Hello(maxBody: 1024), Options, 1);

        Assert.Equal(1024 - 28, terms.PartSize);
        Assert.Equal(Options.PartSize / 2, HandshakeNegotiator.Negotiate(Hello(), Options with { PartSize = Options.PartSize / 2 }, 1).PartSize);
    }

    [Fact]
    public void A_requested_heartbeat_is_kept_within_the_minimum_and_the_servers_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), HandshakeNegotiator.Negotiate(Hello(heartbeatMs: 5000), Options, 1).Heartbeat);
        Assert.Equal(GatewayOptions.MinHeartbeatInterval, HandshakeNegotiator.Negotiate(Hello(heartbeatMs: 1), Options, 1).Heartbeat);
        Assert.Equal(Options.HeartbeatInterval, HandshakeNegotiator.Negotiate(Hello(heartbeatMs: 600_000), Options, 1).Heartbeat);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 65535)]
    public void No_common_version_is_212_with_the_hellos_correlation(ushort min, ushort max)
    {
        ProtocolException error = Assert.Throws<ProtocolException>(() => HandshakeNegotiator.Negotiate(Hello(min, max), Options, 99));

        Assert.Equal(ErrorCode.NoCommonVersion, error.Code);
        Assert.True(error.IsFatal);
        Assert.Equal(99u, error.Correlation);
    }

    private static HelloFrame Hello(ushort min = 1, ushort max = 1, uint maxBody = 0, uint heartbeatMs = 0) =>
        new(min, max, maxBody, heartbeatMs, "", ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
}
