using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A relay that takes its first delivery and does not answer until released: registered with a port grain as
/// another silo's relay, it stands for a silo whose subscribers lag, so the port's backlog for it fills.
/// </summary>
internal sealed class LaggingRelay : IStreamRelay
{
    private readonly TaskCompletionSource<bool> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<bool> DeliverAsync(StreamBatch[] batches) => _released.Task;

    /// <summary>Answers the delivery in progress, and every later one, with "no subscriber left": the port drops this relay.</summary>
    public void Release() => _released.TrySetResult(false);
}
