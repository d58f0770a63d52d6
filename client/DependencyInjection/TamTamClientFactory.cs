using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TamTam.Client.DependencyInjection;

/// <summary>
/// Connects <see cref="TamTamClient"/>s with the options <c>services.AddTamTamClient(...)</c> registered: bound from
/// configuration, adjusted by the registration's callback, logging through the container's <see cref="ILoggerFactory"/>.
/// A singleton; each <see cref="ConnectAsync"/> opens a new session, which the caller owns and disposes.
/// </summary>
public sealed class TamTamClientFactory
{
    private readonly TamTamClientOptions _options;

    /// <summary>Creates the factory from the registered options (and the container's logger factory, when there is one).</summary>
    public TamTamClientFactory(IOptions<TamTamClientOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.LoggerFactory is null && loggerFactory is not null
            ? options.Value with { LoggerFactory = loggerFactory }
            : options.Value;
    }

    /// <summary>The options every client of this factory connects with.</summary>
    public TamTamClientOptions Options => _options;

    /// <summary>Connects a new client (see <see cref="TamTamClient.ConnectAsync"/>).</summary>
    /// <exception cref="TamTamConnectionException">The server refused the session or is unreachable.</exception>
    /// <exception cref="TimeoutException">Connecting took longer than <see cref="TamTamClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public ValueTask<TamTamClient> ConnectAsync(CancellationToken cancellationToken = default) => TamTamClient.ConnectAsync(_options, cancellationToken);
}
