namespace TamTam.Gateway.Streams.Internal;

/// <summary>
/// The sessions of this silo subscribed to one (link, port): changed under the relay's lock, read by deliveries
/// without it (the array is replaced, never changed).
/// </summary>
internal sealed class PortSubscribers(string key)
{
    private IStreamSubscriber[] _subscribers = [];

    public string Key { get; } = key;

    public IStreamSubscriber[] Subscribers => Volatile.Read(ref _subscribers);

    public bool IsEmpty => _subscribers.Length == 0;

    public void Add(IStreamSubscriber subscriber) => Volatile.Write(ref _subscribers, [.. _subscribers, subscriber]);

    public void Remove(IStreamSubscriber subscriber)
    {
        int index = Array.IndexOf(_subscribers, subscriber);
        if (index >= 0)
        {
            Volatile.Write(ref _subscribers, [.. _subscribers.AsSpan(0, index), .. _subscribers.AsSpan(index + 1)]);
        }
    }
}
