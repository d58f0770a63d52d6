using Xunit.Abstractions;
using Xunit.Sdk;

namespace TamTam.Container.Tests.Infrastructure;

/// <summary>
/// The image of infra/container/Containerfile, built once for the test run the way docs/container.md describes for a
/// machine without an image registry: the runtime base made by infra/container/make-local-base.sh (kept in podman's
/// store, so only the first run on a machine pays its minute), the silo published self-contained and ReadyToRun on
/// the host, and <c>APP_SOURCE=prebuilt</c>. When podman cannot run containers here, <see cref="SkipReason"/> says why.
/// </summary>
public sealed class SiloImage(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string Tag = "localhost/tamtam-silo:container-tests";
    public const string BaseTag = "localhost/tamtam-base:bookworm";

    private static readonly TimeSpan BaseTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Why the tests cannot run, or <see langword="null"/> when the image is built.</summary>
    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        SkipReason = await Podman.WhyUnavailableAsync();
        if (SkipReason is null)
        {
            await BuildAsync();
        }

        // A diagnostic message (xunit.runner.json turns them on) shows at the console logger's default verbosity too.
        if (SkipReason is not null)
        {
            diagnostics.OnMessage(new DiagnosticMessage($"the container tests are SKIPPED: {SkipReason}"));
        }
    }

    private async Task BuildAsync()
    {
        string repository = RepositoryRoot();
        string container = Path.Combine(repository, "infra", "container");
        Podman.UseConfiguration();
        await Command.RunCheckedAsync("bash", [Path.Combine(container, "make-local-base.sh"), BaseTag], BaseTimeout);

        (int exitCode, string output) = await Podman.RunAsync(["run", "--rm", "--network=host", BaseTag, "true"], TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            SkipReason = $"podman cannot run a container here (podman run exited with {exitCode}): {output.Trim()}";
            return;
        }

        string context = Path.Combine(Path.GetTempPath(), "tamtam-container-tests", "context");
        Directory.CreateDirectory(Path.Combine(context, "data"));
        await Command.RunCheckedAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            [
                "publish", Path.Combine(repository, "silo", "TamTam.Silo.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained",
                "-p:PublishReadyToRun=true", "-o", Path.Combine(context, "app"), "--nologo",
            ],
            PublishTimeout, repository);
        await Podman.RunCheckedAsync(
            [
                "build", "--network=host", "-f", Path.Combine(container, "Containerfile"), "--build-arg", "APP_SOURCE=prebuilt",
                "--build-arg", $"RUNTIME_IMAGE={BaseTag}", "-t", Tag, context,
            ],
            BuildTimeout);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "infra", "container", "Containerfile")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no infra/container/Containerfile above {AppContext.BaseDirectory}");
    }
}

/// <summary>xunit finds collection definitions only in the test assembly itself.</summary>
[CollectionDefinition(Name)]
public sealed class SiloImageCollection : ICollectionFixture<SiloImage>
{
    public const string Name = "silo image";
}
