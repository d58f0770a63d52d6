using System.Diagnostics;
using System.Net;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// A stopping silo drains (silo/README.md, "Drain and shutdown"): from its first moment it answers not ready, tells
/// its sessions and every new connection 211, and it ends within <c>TamTam:Shutdown:Timeout</c> whatever its clients do.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task A_draining_silo_answers_not_ready_and_refuses_a_hello_with_211()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:Shutdown:Delay=00:00:05");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{silo.Host.HttpEndPoint}") };
        await using RawHelloPeer connected = await RawHelloPeer.HelloAsync(silo.Uri);
        Assert.Equal(FrameType.Welcome, (await connected.ReadAsync()).Type);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative)).Within()).StatusCode);

        Task stopping = silo.StopAsync();

        // The session of before is told to go elsewhere.
        (FrameType type, ErrorCode code, bool fatal) = await connected.ReadAsync();
        Assert.Equal((FrameType.Error, ErrorCode.ShuttingDown, true), (type, code, fatal));

        using HttpResponseMessage readiness = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative)).Within();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);

        await using RawHelloPeer late = await RawHelloPeer.HelloAsync(silo.Uri);
        Assert.Equal((FrameType.Error, ErrorCode.ShuttingDown, true), await late.ReadAsync());
        Assert.False(stopping.IsCompleted);

        await stopping.Within(TestTimeout.Batch);
    }

    [Fact]
    public async Task A_drain_ends_within_its_bound_although_a_client_never_closes()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:Shutdown:Timeout=00:00:04",
            "--TamTam:Shutdown:SessionGrace=00:00:02", "--TamTam:Shutdown:Delay=00:00:03");

        // Welcomed, then silent: it reads nothing more and never closes its side.
        await using RawHelloPeer stubborn = await RawHelloPeer.HelloAsync(silo.Uri);
        Assert.Equal(FrameType.Welcome, (await stubborn.ReadAsync()).Type);

        var clock = Stopwatch.StartNew();
        await silo.StopAsync();

        // The delay is kept, and the whole stop stays within the 4 s bound (with room for a loaded machine).
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(3));
    }
}
