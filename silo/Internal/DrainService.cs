using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Sessions;

namespace TamTam.Silo.Internal;

/// <summary>
/// The first step of a stop, before any hosted service stops: every session is told 211 (SHUTTING_DOWN, fatal: resume
/// elsewhere), <c>/healthz/ready</c> answers not ready, and a connection that arrives from now on is told 211 before
/// its HELLO is read (<see cref="GatewaySessionHost.BeginDrain"/>). Then the drain waits, within <see cref="DrainOptions.SessionGrace"/>, for
/// those sessions to end (each detaches from its link, its acknowledgements delivered), and keeps answering for at
/// least <see cref="DrainOptions.Delay"/>. Then the web host closes the listeners, and Orleans deactivates the links
/// (their logs flushed and closed) and leaves the membership, all within <see cref="DrainOptions.Timeout"/>.
/// </summary>
internal sealed class DrainService(GatewaySessionHost gateway, IOptions<DrainOptions> options, TimeProvider clock, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    private readonly DrainOptions _options = options.Value;
    private long _startedAt;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _startedAt = clock.GetTimestamp();
        gateway.BeginDrain();
        logger.DrainStarted(gateway.OpenConnections, _options.Timeout);
        Task delay = Task.Delay(_options.Delay, clock, cancellationToken);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_options.SessionGrace);
        try
        {
            await gateway.WaitForConnectionsToCloseAsync(grace.Token).ConfigureAwait(false);
            logger.SessionsDrained((long)clock.GetElapsedTime(_startedAt).TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            logger.SessionsLeft(gateway.OpenConnections, _options.SessionGrace);
        }

        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The whole stop's bound ran out: the rest of the stop goes on at once.
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_startedAt != 0)
        {
            logger.DrainFinished((long)clock.GetElapsedTime(_startedAt).TotalMilliseconds);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
