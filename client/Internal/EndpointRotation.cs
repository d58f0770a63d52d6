namespace TamTam.Client.Internal;

/// <summary>
/// The servers a client may use, in the order configured, and the one it uses now. A reconnect moves on to the next in
/// turn (wrapping round), so that a client whose server died or drains (211) tries another one first, and every
/// client of a list walks it in the same order: deterministic, no randomness beyond the backoff's jitter.
/// </summary>
internal sealed class EndpointRotation
{
    private readonly Uri[] _endpoints;
    private int _current;

    public EndpointRotation(IReadOnlyList<Uri> endpoints, int current = 0)
    {
        _endpoints = [.. endpoints];
        _current = current;
    }

    public int Count => _endpoints.Length;

    /// <summary>The endpoint of the current (or last) connection.</summary>
    public Uri Current => _endpoints[Volatile.Read(ref _current)];

    /// <summary>The endpoint <paramref name="step"/> places after the current one; <see cref="Settle"/> makes it current.</summary>
    public int IndexAfter(int step) => (Volatile.Read(ref _current) + step) % _endpoints.Length;

    public Uri this[int index] => _endpoints[index];

    /// <summary>The connection to <paramref name="index"/> succeeded: it is the current one now.</summary>
    public void Settle(int index) => Volatile.Write(ref _current, index);
}
