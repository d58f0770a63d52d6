using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>
/// Drives a node as a well-behaved consumer: acknowledges everything it receives, in batches, redeliveries
/// included, until stopped; records the order in which message ids reached the "application" (first sight).
/// </summary>
public sealed class AutoAckReceiver : IAsyncDisposable
{
    private readonly TestNode _node;
    private readonly bool _tolerant;
    private readonly HashSet<Guid> _seen = [];
    private readonly List<Delivery> _firstSights = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly List<Task> _answers = [];
    private (int Count, TaskCompletionSource Reached)? _waiter;

    /// <param name="node">The node to drive.</param>
    /// <param name="tolerant">
    /// While a link moves between silos an ACK may fail or be refused (206 before the node has joined the
    /// next activation, 501): the delivery then simply comes again.
    /// </param>
    public AutoAckReceiver(TestNode node, bool tolerant = false)
    {
        _node = node;
        _tolerant = tolerant;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Distinct messages in the order they first arrived; read once <see cref="SeenAsync"/> completed.</summary>
    public IReadOnlyList<Delivery> FirstSights
    {
        get
        {
            lock (_firstSights)
            {
                return [.. _firstSights];
            }
        }
    }

    public int Redeliveries { get; private set; }

    /// <summary>Completes once <paramref name="count"/> distinct messages have arrived.</summary>
    public Task SeenAsync(int count)
    {
        lock (_firstSights)
        {
            if (_firstSights.Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiter = (count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return Task.WhenAny(_waiter.Value.Reached.Task, _running).Unwrap()
                .Within($"{_node.Name} to see {count} messages (saw {_firstSights.Count})", TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(_answers);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            Delivery next = await _node.ReceiveAsync(Timeout.InfiniteTimeSpan).WaitAsync(_stop.Token);
            var batch = new List<Delivery> { next };
            while (batch.Count < 256 && _node.TryReceive(out Delivery more))
            {
                batch.Add(more);
            }

            Record(batch);

            // Answers go out concurrently: one ACK stuck on a dead silo must not hold back the others.
            _answers.RemoveAll(t => t.IsCompleted && !t.IsFaulted);
            _answers.Add(AnswerAsync(batch));
        }
    }

    private async Task AnswerAsync(List<Delivery> batch)
    {
        ErrorCode[] results;
        try
        {
            results = await _node.AnswerAsync([.. batch.Select(TestNode.Ack)]);
        }
        catch (Exception) when (_tolerant)
        {
            return; // the deliveries come again
        }

        // 304 only for an attempt the ack timeout already replaced: the next attempt is acknowledged too.
        foreach (ErrorCode result in results)
        {
            if (!(result is ErrorCode.None or ErrorCode.UnknownDelivery || (_tolerant && result is ErrorCode.NotJoined or ErrorCode.Unavailable)))
            {
                throw new InvalidOperationException($"{_node.Name}: ACK answered {result}");
            }
        }
    }

    private void Record(List<Delivery> batch)
    {
        lock (_firstSights)
        {
            foreach (Delivery delivery in batch)
            {
                if (_seen.Add(delivery.MessageId))
                {
                    _firstSights.Add(delivery);
                }
                else
                {
                    Redeliveries++;
                }
            }

            if (_waiter is { } waiter && _firstSights.Count >= waiter.Count)
            {
                waiter.Reached.TrySetResult();
            }
        }
    }
}
