using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using TamTam.Grains.Links;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Storage;
using TamTam.Storage.Hosting;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster whose silos are set up like the real one (<c>TamTamSilo.AddStorage</c>):
/// local segment logs and grain state in one data directory that every silo shares, and link
/// orchestrators with short timers so that timeouts, retries and deadlines pass in milliseconds.
/// </summary>
/// <param name="silos">How many silos to start.</param>
/// <param name="orchestrator">The link orchestrators' settings.</param>
/// <param name="responseTimeout">
/// Orleans' response timeout, or null for its default (30 s). A call in flight to a killed silo fails only
/// after it; a push slower than it makes the link take its node for gone.
/// </param>
public abstract class LinkCluster(short silos, OrchestratorOptions orchestrator, TimeSpan? responseTimeout = null) : IAsyncLifetime
{
    /// <summary>The orchestrator settings of the single-silo cluster, which the lifecycle tests count on.</summary>
    /// <remarks>
    /// The ack timeout is what an unanswered delivery costs a test, and also how long a consumer may be starved
    /// (2 cores, other test assemblies running) before a delivery it did answer counts as failed: at 300 ms
    /// about one full run in ten failed that way, so it is 1 s.
    /// </remarks>
    public static readonly OrchestratorOptions Orchestrator = new()
    {
        TimerPeriod = TimeSpan.FromMilliseconds(50),
        AckTimeout = TimeSpan.FromSeconds(1),
        RetryDelays = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)],
        StorageProbeDelay = TimeSpan.FromMilliseconds(50),
        StorageProbeMaxDelay = TimeSpan.FromMilliseconds(200),
        MaxAttempts = 3,
        MaxMessageBytes = 16 * 1024,
        MaxInboxBytes = 64 * 1024,
        MaxInboxMessages = 1000,
    };

    /// <summary>Small segments: each new one makes the link checkpoint, so compaction really drops files in these tests.</summary>
    public const long SegmentSizeBytes = 16 * 1024;

    private int _links;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "tamtam-grains-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A link name no other test uses.</summary>
    public string NewLink(string purpose) => $"{purpose}-{Interlocked.Increment(ref _links)}";

    public TestNode Node(string link, string name) => new(Client, link, name);

    public ILinkGrain Link(string link) => Client.GetGrain<ILinkGrain>(link);

    /// <summary>The segment log store of the (first) silo, whose writes tests can make fail.</summary>
    public FaultyLogStore Logs => Cluster.GetSiloServiceProvider().GetRequiredService<FaultyLogStore>();

    /// <summary>The silo that hosts the link's activation now.</summary>
    public InProcessSiloHandle HostOf(string link)
    {
        Assert.True(Cluster.TryGetGrainContext(Link(link).GetGrainId(), out IGrainContext? context), $"link {link} has no activation");
        return Cluster.GetActiveSilos().Single(s => s.SiloAddress.Equals(context!.Address.SiloAddress));
    }

    /// <summary>Deactivates the link's activation (it tells its nodes to relink); the next call activates it again.</summary>
    public Task DeactivateAsync(string link) => Cluster.DeactivateAsync(Link(link));

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            // Registered first, so that the local storage's own registration of the store stands behind it.
            silo.Services.AddSingleton(sp => new FaultyLogStore(sp.GetRequiredService<LocalSegmentLogStore>()));
            silo.Services.AddSingleton<ISegmentLogStore>(sp => sp.GetRequiredService<FaultyLogStore>());
            silo.Services.AddTamTamLocalStorage(o =>
            {
                o.RootPath = DataDirectory;
                o.SegmentSizeBytes = SegmentSizeBytes;
            });
            silo.AddLocalDirectoryGrainStorageAsDefault(o => o.RootPath = DataDirectory);
            silo.Services.AddSingleton(Options.Create(orchestrator));

            // A killed silo must be declared dead within a second or two, not the default half minute.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
            });
        });
        builder.ConfigureClient(client => client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromMilliseconds(500)));
        if (responseTimeout is { } timeout)
        {
            builder.ConfigureSilo((_, silo) => silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout));
            builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout));
        }
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await WarmUpAsync();
    }

    /// <summary>
    /// One full round trip and a relink before the tests: the first activation, log file and observer call
    /// are slow (JIT, file creation) and would otherwise eat into a test's ack timeout.
    /// </summary>
    private async Task WarmUpAsync()
    {
        string link = NewLink("warm-up");
        TestNode sender = Node(link, "sender");
        TestNode receiver = Node(link, "receiver");
        await sender.JoinAsync();
        await receiver.JoinAsync();
        await receiver.BindAsync("p", PortMode.Unicast);
        await sender.SendAsync("p");
        await receiver.AckAsync(await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)));
        await sender.ConfirmAsync((await sender.NextStatusAsync(TimeSpan.FromSeconds(30))).MessageId);
        await DeactivateAsync(link);
        await sender.NextRejoinAsync();
        await receiver.NextRejoinAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing: the temp directory is cleaned by the system in time.
        }
    }
}

/// <summary>One silo: the lifecycle, routing, ordering, replay and property tests share it.</summary>
public sealed class SingleSiloCluster() : LinkCluster(1, Orchestrator);

/// <summary>
/// Two silos over one shared data directory: for moving a link between silos. Right after a move, a push can
/// get lost on its way to the test client (Orleans' client routing catching up): the 5 s response timeout
/// turns that into a relink within seconds, and deliveries get retries enough to outlast it (about 10 s)
/// instead of the 3 s the single-silo tests allow.
/// </summary>
public sealed class TwoSiloCluster() : LinkCluster(2, Settings, TimeSpan.FromSeconds(5))
{
    public static readonly OrchestratorOptions Settings = Orchestrator with { AckTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 10 };
}

[CollectionDefinition(Name)]
public sealed class SingleSiloCollection : ICollectionFixture<SingleSiloCluster>
{
    public const string Name = "single silo";
}

[CollectionDefinition(Name)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloCluster>
{
    public const string Name = "two silos";
}
