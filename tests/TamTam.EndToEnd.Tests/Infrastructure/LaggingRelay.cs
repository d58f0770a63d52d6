using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A relay that takes its first delivery and does not answer until released: registered with a port grain as
/// another silo's relay, it stands for a silo whose subscribers lag, so the port's backlog for it fills. Made
/// failing, it stands for a silo whose relay cannot be reached: every delivery throws.
/// </summary>
internal sealed class LaggingRelay(bool failing = false) : IStreamRelay
{
    private readonly TaskCompletionSource<bool> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _deliveries;

    /// <summary>Delivery calls that reached this relay.</summary>
    public int Deliveries => Volatile.Read(ref _deliveries);

    public Task<bool> DeliverAsync(StreamBatch[] batches)
    {
        Interlocked.Increment(ref _deliveries);
        return failing ? Task.FromException<bool>(new InvalidOperationException("this relay's silo is unreachable")) : _released.Task;
    }

    public async Task<RelayDelivery> DeliverReportingLagAsync(StreamBatch[] batches) => new(await DeliverAsync(batches), Lag: 0);

    public Task<bool> WantsAsync(string key) => Task.FromResult(!failing);

    /// <summary>Answers the delivery in progress, and every later one, with "no subscriber left": the port drops this relay.</summary>
    public void Release() => _released.TrySetResult(false);
}
