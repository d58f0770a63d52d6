using Microsoft.Extensions.Logging;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// Coalesces progress (part indexes) into few grain calls: at most one call is in flight, and whatever arrives
/// meanwhile goes in the next one. Progress is informative — the payload store is the truth — so a failed call
/// is logged and its indexes are not retried.
/// </summary>
internal sealed class ProgressReporter(Func<int[], Task> report, ILogger logger, Guid transferId)
{
    private readonly Lock _gate = new();
    private readonly List<int> _pending = [];
    private Task _running = Task.CompletedTask;
    private bool _active;

    public void Add(int index)
    {
        lock (_gate)
        {
            _pending.Add(index);
            if (!_active)
            {
                _active = true;
                _running = Task.Run(RunAsync);
            }
        }
    }

    /// <summary>Completes when everything added so far has been reported (or failed to be).</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _running;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            int[] batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _active = false;
                    return;
                }

                batch = [.. _pending];
                _pending.Clear();
            }

            try
            {
                await report(batch).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                TransferGatewayLog.ProgressNotRecorded(logger, transferId, batch.Length, exception.Message);
            }
        }
    }
}
