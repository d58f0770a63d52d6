namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One real interchange for the tests that do not restart it: the host the executable runs, in-process, on
/// free ports and its own data directory. Tests keep apart by using links of their own.
/// xunit finds collection definitions only in the test assembly itself, so each assembly that uses one of these
/// fixtures defines its collection (SharedSiloCollection and the others, in its Infrastructure folder).
/// </summary>
public class SharedSiloFixture : IAsyncLifetime
{
    private readonly DataDirectory _data = new();
    private InProcessSilo? _silo;

    public Uri Uri => (_silo ?? throw new InvalidOperationException("The silo is not started.")).Uri;

    /// <summary>The silo's grains.</summary>
    public IGrainFactory Grains => (_silo ?? throw new InvalidOperationException("The silo is not started.")).Grains;

    /// <summary>The silo's data directory (payloads are under its <c>payloads</c> folder).</summary>
    public string DataPath => _data.Path;

    public async Task InitializeAsync() => _silo = await InProcessSilo.StartAsync(_data.Path, ExtraArguments);

    /// <summary>Settings after the usual ones, for a fixture that needs a silo configured otherwise.</summary>
    protected virtual string[] ExtraArguments => [];

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }
}

/// <summary>
/// A shared silo whose sessions are kept only briefly after their connection ends: for tests in which a client
/// goes away without LEAVE (a process that ended) and another one takes the node's name soon after.
/// </summary>
public sealed class BriefSessionSiloFixture : SharedSiloFixture
{
    protected override string[] ExtraArguments => ["--TamTam:Gateway:SessionTimeout=00:00:02"];
}

/// <summary>
/// A shared silo for backlogs: sessions kept briefly after their connection ends (a stopped consumer's name is
/// free again soon), and inboxes that hold far more than the default 10,000 messages.
/// </summary>
public sealed class BacklogSiloFixture : SharedSiloFixture
{
    protected override string[] ExtraArguments => ["--TamTam:Gateway:SessionTimeout=00:00:02", "--TamTam:Links:MaxInboxMessages=100000"];
}
