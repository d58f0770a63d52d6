using System.Threading.Channels;
using TamTam.Interfaces.Links;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// One session's <see cref="ILinkObserver"/>: records what the link pushes into channels that tests read
/// with timeouts, and reports every push to its node so that checks can look across sessions.
/// </summary>
internal sealed class RecordingObserver(Guid sessionId, Action<Guid, Delivery> onDelivery, Action pushed, Action relinked) : ILinkObserver
{
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();
    private readonly Channel<StatusReport> _statuses = Channel.CreateUnbounded<StatusReport>();

    public Guid SessionId { get; } = sessionId;

    public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

    public ChannelReader<StatusReport> Statuses => _statuses.Reader;

    /// <summary>While incomplete, every push is recorded and then not answered: a session stuck writing to its socket.</summary>
    public Task Stall { get; set; } = Task.CompletedTask;

    /// <summary>Fail the next delivery push, as a push lost on its way (a timeout) fails.</summary>
    public bool FailNextDelivery { get; set; }

    public Task DeliverAsync(Delivery[] deliveries)
    {
        if (FailNextDelivery)
        {
            FailNextDelivery = false;
            throw new TimeoutException("the push was lost");
        }

        foreach (Delivery delivery in deliveries)
        {
            onDelivery(SessionId, delivery);
            _deliveries.Writer.TryWrite(delivery);
        }

        pushed();
        return Stall;
    }

    public Task StatusAsync(StatusReport[] statuses)
    {
        foreach (StatusReport status in statuses)
        {
            _statuses.Writer.TryWrite(status);
        }

        pushed();
        return Stall;
    }

    private readonly TaskCompletionSource _superseded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the link said another connection of this session took the node over.</summary>
    public Task Superseded => _superseded.Task;

    public Task SupersededAsync()
    {
        _superseded.TrySetResult();
        return Task.CompletedTask;
    }

    public Task RelinkAsync()
    {
        // Like the gateway: the old activation waits for this call while it deactivates, so the
        // join that reaches the next activation must happen after it has returned.
        relinked();
        return Task.CompletedTask;
    }
}
