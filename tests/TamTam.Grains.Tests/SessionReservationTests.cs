using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>
/// A node's name belongs to its protocol session while connected and for the session timeout after a disconnect
/// (docs/protocol.md sections 5.7 and 6.1; docs/architecture.md "Sessions and resume").
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class SessionReservationTests(SingleSiloCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_disconnected_name_is_refused_to_other_sessions_and_resumable_until_its_timeout()
    {
        string link = cluster.NewLink("reserve");
        TestNode owner = cluster.Node(link, "worker");
        TestNode intruder = cluster.Node(link, "worker");
        Guid session = Guid.NewGuid();
        Assert.True((await owner.TryJoinAsync(session, Timeout, resume: false)).Succeeded);
        Assert.True(await owner.Grain.HoldsSessionAsync("worker", session));

        await owner.DetachAsync();
        Assert.Equal(ErrorCode.NameTaken, (await intruder.TryJoinAsync(Guid.NewGuid(), Timeout, resume: false)).Code);
        Assert.Equal(ErrorCode.SessionExpired, (await intruder.TryJoinAsync(Guid.NewGuid(), Timeout, resume: true)).Code);
        Assert.True(await owner.Grain.HoldsSessionAsync("worker", session));

        // The session itself takes its name back from a new connection.
        Assert.True((await owner.TryJoinAsync(session, Timeout, resume: true)).Succeeded);
        await owner.DetachAsync();

        // After the timeout the name is free, and the old session may not resume any more.
        await Patience.Until(async () => !await owner.Grain.HoldsSessionAsync("worker", session), "the reservation ran out");
        Assert.True((await intruder.TryJoinAsync(Guid.NewGuid(), Timeout, resume: false)).Succeeded);
        Assert.Equal(ErrorCode.SessionExpired, (await owner.TryJoinAsync(session, Timeout, resume: true)).Code);
    }

    [Fact]
    public async Task A_resume_supersedes_a_connection_of_the_same_session_that_is_still_attached()
    {
        string link = cluster.NewLink("supersede");
        TestNode node = cluster.Node(link, "worker");
        TestNode other = cluster.Node(link, "worker");
        Guid session = Guid.NewGuid();
        Assert.True((await node.TryJoinAsync(session, Timeout, resume: false)).Succeeded);

        // Not the session: refused while the first connection is attached.
        Assert.Equal(ErrorCode.NameTaken, (await other.TryJoinAsync(Guid.NewGuid(), Timeout, resume: false)).Code);

        // The session from a new connection, before the old one is noticed gone.
        Assert.True((await node.TryJoinAsync(session, Timeout, resume: true)).Succeeded);
        Assert.True(await node.Grain.HoldsSessionAsync("worker", session));
    }

    [Fact]
    public async Task Leave_frees_the_name_at_once()
    {
        string link = cluster.NewLink("leave-frees");
        TestNode owner = cluster.Node(link, "worker");
        TestNode next = cluster.Node(link, "worker");
        Guid session = Guid.NewGuid();
        Assert.True((await owner.TryJoinAsync(session, TimeSpan.FromMinutes(5), resume: false)).Succeeded);
        await owner.LeaveAsync();

        Assert.False(await owner.Grain.HoldsSessionAsync("worker", session));
        Assert.True((await next.TryJoinAsync(Guid.NewGuid(), TimeSpan.FromMinutes(5), resume: false)).Succeeded);
    }
}
