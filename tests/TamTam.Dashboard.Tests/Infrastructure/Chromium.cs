using Microsoft.Playwright;

namespace TamTam.Dashboard.Tests.Infrastructure;

/// <summary>
/// Debian's headless chromium (<c>/usr/bin/chromium</c>, which .ci/run installs when missing) driven by Playwright
/// over the DevTools protocol, with an empty profile of its own. Playwright never downloads a browser here: it is
/// given the executable. A browser that cannot start fails the test that needed it, with the reason.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Where Debian installs the browser.</summary>
    public const string DebianPath = "/usr/bin/chromium";

    /// <summary>Names another chromium executable than <see cref="DebianPath"/>.</summary>
    public const string PathVariable = "TAMTAM_CHROMIUM";

    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly string _profile = Path.Combine(Path.GetTempPath(), $"tamtam-chromium-{Guid.NewGuid():N}");
    private IPlaywright? _playwright;
    private IBrowserContext? _context;

    /// <summary>The browser's one context (its empty profile); each test opens its own pages.</summary>
    public IBrowserContext Context => _context ?? throw new InvalidOperationException("Chromium is not started.");

    private static string ExecutablePath => Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : DebianPath;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"The dashboard tests need chromium at {ExecutablePath}: install Debian's with `apt-get install chromium` (.ci/run does), or name another with {PathVariable}.");
        }

        Directory.CreateDirectory(_profile);
        try
        {
            _playwright = await Playwright.CreateAsync();

            // A persistent context on an empty directory: the --user-data-dir of the flags, which Playwright takes as this argument.
            _context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Flags,
                Timeout = 60_000,
            });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"Chromium ({ExecutablePath}) could not be started through Playwright: {e.Message}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        _playwright?.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // The browser may still be writing its profile as it exits; the temporary directory is left behind.
        }
    }
}
