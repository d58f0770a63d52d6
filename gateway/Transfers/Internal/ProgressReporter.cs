using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// Coalesces progress (part indexes) into few grain calls (<see cref="CoalescingCallQueue{T}"/>, started on the
/// thread pool so that staging a part never waits for one). Progress is informative — the payload store is the
/// truth — so a failed call is logged and its indexes are not retried.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly CoalescingCallQueue<int> _calls;

    public ProgressReporter(Func<int[], Task> report, ILogger logger, Guid transferId) =>
        _calls = new CoalescingCallQueue<int>(report,
            (indexes, exception) => TransferGatewayLog.ProgressNotRecorded(logger, transferId, indexes.Length, exception.Message),
            inBackground: true);

    public void Add(int index)
    {
        _calls.Add(index);
        _calls.Start();
    }

    /// <summary>Completes when everything added so far has been reported (or failed to be).</summary>
    public Task FlushAsync() => _calls.DrainAsync();
}
