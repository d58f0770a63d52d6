using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests;

public sealed class MembershipTests
{
    [Fact]
    public async Task Join_completes_on_OK_and_sends_link_and_node()
    {
        await using Session session = await Session.OpenAsync();

        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        (JoinFrame join, uint correlation) = await session.Peer.ExpectAsync<JoinFrame>();
        Assert.Equal("billing", join.Link.ToString());
        Assert.Equal("worker-1", join.Node.ToString());
        Assert.NotEqual(0u, correlation);
        await session.Peer.OkAsync(correlation);

        await joining.Within();
        Assert.Equal("billing", session.Client.Link);
        Assert.Equal("worker-1", session.Client.Node);
    }

    [Fact]
    public async Task Join_refused_with_ERROR_throws_TamTamException_with_the_code()
    {
        await using Session session = await Session.OpenAsync();

        Task joining = session.Client.JoinAsync("billing", "worker-1").AsTask();
        (_, uint correlation) = await session.Peer.ExpectAsync<JoinFrame>();
        await session.Peer.ErrorAsync(ErrorCode.NameTaken, "worker-1 is used by another live session", correlation);

        var failure = await Assert.ThrowsAsync<TamTamException>(() => joining.Within());
        Assert.Equal(ErrorCode.NameTaken, failure.Code);
        Assert.Equal("NAME_TAKEN", failure.CodeName);
        Assert.Equal("worker-1 is used by another live session", failure.Detail);
        Assert.True(session.Client.IsConnected);
        Assert.Null(session.Client.Link);
    }

    [Fact]
    public async Task Invalid_name_is_refused_locally_with_113()
    {
        await using Session session = await Session.OpenAsync();

        var failure = await Assert.ThrowsAsync<TamTamException>(() => session.Client.JoinAsync("bill ing", "worker-1").Within());

        Assert.Equal(ErrorCode.InvalidName, failure.Code);
    }

    [Fact]
    public async Task Bind_and_unbind_carry_mode_port_and_subtree()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task binding = session.Client.BindAsync("orders/eu", PortMode.Group, subtree: true).AsTask();
        (BindFrame bind, uint bindCorrelation) = await session.Peer.ExpectAsync<BindFrame>();
        Assert.Equal(PortMode.Group, bind.Mode);
        Assert.Equal("orders/eu", bind.Port.ToString());
        Assert.True(bind.Subtree);
        await session.Peer.OkAsync(bindCorrelation);
        await binding.Within();

        Task unbinding = session.Client.UnbindAsync("orders/eu", subtree: true).AsTask();
        (UnbindFrame unbind, uint unbindCorrelation) = await session.Peer.ExpectAsync<UnbindFrame>();
        Assert.Equal("orders/eu", unbind.Port.ToString());
        await session.Peer.ErrorAsync(ErrorCode.NotBound, "not bound", unbindCorrelation);
        Assert.Equal(ErrorCode.NotBound, (await Assert.ThrowsAsync<TamTamException>(() => unbinding.Within())).Code);
    }

    [Fact]
    public async Task Leave_completes_on_OK()
    {
        await using Session session = await Session.OpenAsync();
        await session.JoinAsync();

        Task leaving = session.Client.LeaveAsync().AsTask();
        (_, uint correlation) = await session.Peer.ExpectAsync<LeaveFrame>();
        await session.Peer.OkAsync(correlation);
        await leaving.Within();

        Assert.Null(session.Client.Link);
    }
}
