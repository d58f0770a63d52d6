namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// A connection's frame budget (<see cref="GatewayOptions.MaxFramesPerSecond"/>): a token bucket of
/// <c>burst</c> frames, full at the start, refilled continuously at <c>framesPerSecond</c>. Used by the read
/// loop alone, one frame at a time, so it needs no lock.
/// </summary>
internal sealed class FrameRateLimiter
{
    private readonly TimeProvider _timeProvider;
    private readonly double _rate;
    private readonly double _frequency;
    private readonly double _capacity;
    private double _tokens;
    private long _refilledAt;

    public FrameRateLimiter(int framesPerSecond, int burst, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(framesPerSecond);
        _timeProvider = timeProvider;
        _rate = framesPerSecond;
        _frequency = timeProvider.TimestampFrequency;
        _capacity = burst > 0 ? burst : framesPerSecond;
        _tokens = _capacity;
        _refilledAt = timeProvider.GetTimestamp();
        FramesPerSecond = framesPerSecond;
    }

    public int FramesPerSecond { get; }

    /// <summary>Takes one frame's token; false when the bucket is empty (the frame is over the limit).</summary>
    public bool TryTake()
    {
        // Refilled on every frame: refilling only when empty would let an idle bucket's time count twice.
        long now = _timeProvider.GetTimestamp();
        // Multiplied before divided: whole frames stay whole (no 2.9999… for three frames' worth of time).
        _tokens = Math.Min(_capacity, _tokens + (now - _refilledAt) * _rate / _frequency);
        _refilledAt = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
