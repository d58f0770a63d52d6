using System.Collections.Concurrent;
using TamTam.Storage;

namespace TamTam.Grains.Links;

/// <summary>
/// The links a silo runs its own start-up traffic on (the warm-up, silo/README.md), known to this silo only. While its
/// name is registered here, a link activated on this silo keeps its log and audit trail in the store given with it
/// instead of the interchange's, is never reported to the link registry (LINKS does not list it), and deactivates once
/// its last member has left. The warm-up has the link placed on this silo (a placement hint on the call that activates
/// it), so no other silo ever opens it.
/// </summary>
/// <remarks>
/// Names are <see cref="NamePrefix"/> and 32 random hex digits, made by <see cref="NewName"/>: no client can guess one
/// while it is registered, and a registered name is never a link anyone else uses.
/// </remarks>
public sealed class WarmUpLinks
{
    /// <summary>What every warm-up link's name starts with.</summary>
    public const string NamePrefix = "tamtam-warm-up-";

    private readonly ConcurrentDictionary<string, Entry> _links = new(StringComparer.Ordinal);

    /// <summary>A new, unguessable warm-up link name (47 bytes).</summary>
    public static string NewName() => NamePrefix + Guid.NewGuid().ToString("N");

    /// <summary>Registers <paramref name="link"/> with the store its activation on this silo uses.</summary>
    /// <exception cref="InvalidOperationException">The name is registered already.</exception>
    public void Add(string link, ISegmentLogStore store)
    {
        ArgumentException.ThrowIfNullOrEmpty(link);
        ArgumentNullException.ThrowIfNull(store);
        if (!_links.TryAdd(link, new Entry(store)))
        {
            throw new InvalidOperationException($"warm-up link \"{link}\" is registered already");
        }
    }

    /// <summary>
    /// Completes once an activation of <paramref name="link"/> on this silo has closed its logs, or at once when none is
    /// open; the registration ends then, and a later activation of the name would use the interchange's store.
    /// </summary>
    public async Task RemoveAsync(string link, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(link, out Entry? entry))
        {
            await entry.WaitClosedAsync(cancellationToken).ConfigureAwait(false);
            _links.TryRemove(link, out _);
        }
    }

    /// <summary>Whether <paramref name="link"/> is a registered warm-up link.</summary>
    public bool Contains(string link) => _links.ContainsKey(link);

    /// <summary>The store an activation of <paramref name="link"/> uses, and whether it is a warm-up link.</summary>
    internal ISegmentLogStore StoreFor(string link, ISegmentLogStore durable, out bool warmUp)
    {
        if (_links.TryGetValue(link, out Entry? entry))
        {
            entry.Opened();
            warmUp = true;
            return entry.Store;
        }

        warmUp = false;
        return durable;
    }

    /// <summary>An activation of warm-up link <paramref name="link"/> closed its logs.</summary>
    internal void Closed(string link)
    {
        if (_links.TryGetValue(link, out Entry? entry))
        {
            entry.Closed();
        }
    }

    private sealed class Entry(ISegmentLogStore store)
    {
        private readonly Lock _gate = new();
        private int _open;
        private TaskCompletionSource _closed = Completed();

        public ISegmentLogStore Store { get; } = store;

        public void Opened()
        {
            lock (_gate)
            {
                if (_open++ == 0)
                {
                    _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        public void Closed()
        {
            lock (_gate)
            {
                if (_open > 0 && --_open == 0)
                {
                    _closed.TrySetResult();
                }
            }
        }

        public Task WaitClosedAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                return _closed.Task.WaitAsync(cancellationToken);
            }
        }

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }
}
