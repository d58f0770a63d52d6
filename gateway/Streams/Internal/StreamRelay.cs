using System.Collections.Concurrent;
using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>
/// This silo's relay for port streams (docs/architecture.md, "Streaming mode"): the in-process registry of the
/// sessions' stream bindings. A port grain on this silo calls <see cref="Deliver"/> directly; one on another silo
/// reaches it through this silo's relay service. Either way a batch goes to every session whose bindings cover its
/// stream, once per session, without waiting for any.
/// </summary>
/// <remarks>
/// <para>Port grains send every batch to every silo until its relay answers that nobody there receives the
/// stream; they then pause that route. So the relay remembers the streams it turned away (for
/// <see cref="RefusalMemory"/>, beyond which a paused port tries again by itself) and tells each such port
/// grain when a new binding covers its stream — before the BIND is answered, so a packet published after the OK
/// reaches the node. A binding also tells the grain of its own port, which may not have heard of this silo yet.</para>
/// <para>Which sessions receive a stream is worked out once per stream and kept until the bindings change.</para>
/// </remarks>
internal sealed class StreamRelay(IGrainFactory grains, SiloAddress silo) : ILocalStreamRelay
{
    /// <summary>How long a refused stream is remembered: longer than a paused port grain waits before trying again.</summary>
    public static readonly TimeSpan RefusalMemory = 2 * TimeSpan.FromSeconds(30);

    private readonly IGrainFactory _grains = grains;
    private readonly SiloAddress _silo = silo;
    private readonly Lock _gate = new();
    private readonly List<(StreamBinding Binding, IStreamSubscriber Subscriber)> _bindings = [];
    private readonly ConcurrentDictionary<string, IStreamSubscriber[]> _receivers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long At)> _refusals = new();

    /// <summary>
    /// Adds <paramref name="subscriber"/>'s <paramref name="binding"/>; completes once every port grain that paused
    /// its route to this silo for a stream the binding covers has been told, so a packet published afterwards
    /// reaches the subscriber.
    /// </summary>
    public async Task SubscribeAsync(StreamBinding binding, IStreamSubscriber subscriber)
    {
        List<string> keys = [binding.PortKey];
        lock (_gate)
        {
            _bindings.Add((binding, subscriber));
            _receivers.Clear();
            foreach (string key in _refused.Keys)
            {
                if (binding.Covers(key) && key != binding.PortKey)
                {
                    keys.Add(key);
                }
            }

            foreach (string key in keys)
            {
                _refused.Remove(key);
            }
        }

        try
        {
            Task[] telling = new Task[keys.Count];
            for (int i = 0; i < keys.Count; i++)
            {
                telling[i] = _grains.GetGrain<IStreamPortGrain>(keys[i]).SubscribeAsync(_silo);
            }

            await Task.WhenAll(telling).ConfigureAwait(false);
        }
        catch
        {
            Unsubscribe(binding, subscriber);
            throw;
        }
    }

    /// <summary>Removes <paramref name="subscriber"/>'s <paramref name="binding"/>.</summary>
    public void Unsubscribe(StreamBinding binding, IStreamSubscriber subscriber)
    {
        lock (_gate)
        {
            int index = _bindings.IndexOf((binding, subscriber));
            if (index >= 0)
            {
                _bindings.RemoveAt(index);
                _receivers.Clear();
            }
        }
    }

    public bool Deliver(StreamBatch batch, out int lag)
    {
        IStreamSubscriber[] receivers = ReceiversOf(batch.Key);
        lag = 0;
        foreach (IStreamSubscriber subscriber in receivers)
        {
            lag = Math.Max(lag, subscriber.Offer(batch));
        }

        return receivers.Length > 0;
    }

    public bool Wants(string key) => ReceiversOf(key).Length > 0;

    /// <summary>The subscribers' backlogs, each subscriber once whatever its number of bindings.</summary>
    public StreamBacklog Backlog()
    {
        var seen = new HashSet<IStreamSubscriber>(ReferenceEqualityComparer.Instance);
        long packets = 0;
        long largest = 0;
        lock (_gate)
        {
            foreach ((_, IStreamSubscriber subscriber) in _bindings)
            {
                if (seen.Add(subscriber))
                {
                    long backlog = subscriber.Backlog;
                    packets += backlog;
                    largest = Math.Max(largest, backlog);
                }
            }
        }

        return new StreamBacklog(seen.Count, packets, largest);
    }

    /// <summary>The sessions whose bindings cover the stream <paramref name="key"/>; none is remembered as a refusal.</summary>
    private IStreamSubscriber[] ReceiversOf(string key)
    {
        if (_receivers.TryGetValue(key, out IStreamSubscriber[]? receivers))
        {
            return receivers;
        }

        lock (_gate)
        {
            List<IStreamSubscriber> found = [];
            foreach ((StreamBinding binding, IStreamSubscriber subscriber) in _bindings)
            {
                if (!found.Contains(subscriber) && binding.Covers(key))
                {
                    found.Add(subscriber);
                }
            }

            if (found.Count == 0)
            {
                Refused(key);
                return [];
            }

            receivers = [.. found];
            _receivers[key] = receivers;
            return receivers;
        }
    }

    private void Refused(string key)
    {
        long now = Environment.TickCount64;
        long forgetBefore = now - (long)RefusalMemory.TotalMilliseconds;
        while (_refusals.TryPeek(out (string Key, long At) oldest) && oldest.At < forgetBefore)
        {
            _refusals.Dequeue();
            if (_refused.TryGetValue(oldest.Key, out long at) && at == oldest.At)
            {
                _refused.Remove(oldest.Key);
            }
        }

        _refused[key] = now;
        _refusals.Enqueue((key, now));
    }
}
