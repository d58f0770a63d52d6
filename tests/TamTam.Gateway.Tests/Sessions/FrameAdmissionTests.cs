using TamTam.Gateway.Sessions;
using TamTam.Gateway.Sessions.Internal;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Sessions;

/// <summary>The state table of docs/protocol.md section 6.2.</summary>
public sealed class FrameAdmissionTests
{
    [Theory]
    [InlineData(SessionState.Connected, FrameType.Hello, ErrorCode.None)]
    [InlineData(SessionState.Connected, FrameType.Ping, ErrorCode.HandshakeRequired)]
    [InlineData(SessionState.Welcomed, FrameType.Hello, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Welcomed, FrameType.Ping, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.Join, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.StationRegister, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.Message, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.Cancel, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.Audit, ErrorCode.None)]
    [InlineData(SessionState.Welcomed, FrameType.Send, ErrorCode.NotJoined)]
    [InlineData(SessionState.Welcomed, FrameType.Stream, ErrorCode.NotJoined)]
    [InlineData(SessionState.Welcomed, FrameType.StationClaim, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Welcomed, FrameType.Deliver, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Joined, FrameType.Join, ErrorCode.AlreadyJoined)]
    [InlineData(SessionState.Joined, FrameType.Send, ErrorCode.None)]
    [InlineData(SessionState.Joined, FrameType.Leave, ErrorCode.None)]
    [InlineData(SessionState.Joined, FrameType.StationPass, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Station, FrameType.Send, ErrorCode.None)]
    [InlineData(SessionState.Station, FrameType.StationClaim, ErrorCode.None)]
    [InlineData(SessionState.Station, FrameType.Bind, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Station, FrameType.Ok, ErrorCode.UnexpectedFrame)]
    [InlineData(SessionState.Station, FrameType.Join, ErrorCode.AlreadyJoined)]
    [InlineData(SessionState.Station, FrameType.StationRegister, ErrorCode.AlreadyJoined)]
    [InlineData(SessionState.Station, FrameType.Stream, ErrorCode.None)]
    [InlineData(SessionState.Station, FrameType.Routes, ErrorCode.None)]
    [InlineData(SessionState.Joined, FrameType.StationRegister, ErrorCode.AlreadyJoined)]
    [InlineData(SessionState.Welcomed, FrameType.Routes, ErrorCode.None)]
    internal void A_state_accepts_or_refuses_a_frame_as_the_table_says(SessionState state, FrameType type, ErrorCode expected)
    {
        Assert.Equal(expected, FrameAdmission.Check(state, type));
    }

    [Fact]
    public void Exactly_the_server_to_client_frames_are_refused_by_direction()
    {
        FrameType[] serverOnly =
        [
            FrameType.Welcome, FrameType.Ok, FrameType.HealthReport, FrameType.Accepted, FrameType.Deliver,
            FrameType.Status, FrameType.NodesReport, FrameType.LinksReport, FrameType.MessageReport, FrameType.AuditReport,
            FrameType.StationOffer, FrameType.RoutesReport,
        ];

        foreach (FrameType type in FrameTypes.All)
        {
            Assert.Equal(!serverOnly.Contains(type), FrameAdmission.IsClientToServer(type));
        }
    }
}
