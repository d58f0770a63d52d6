using TamTam.Gateway.Sessions.Internal;

namespace TamTam.Gateway.Tests.Security;

/// <summary>The per-connection frame budget: a token bucket, on a clock the test moves.</summary>
public sealed class FrameRateLimiterTests
{
    [Fact]
    public void A_full_bucket_gives_its_burst_then_refuses()
    {
        var clock = new ManualClock();
        var limiter = new FrameRateLimiter(framesPerSecond: 10, burst: 0, clock);

        Assert.Equal(10, Take(limiter, 100));
    }

    [Fact]
    public void The_bucket_refills_at_the_rate_and_never_beyond_the_burst()
    {
        var clock = new ManualClock();
        var limiter = new FrameRateLimiter(framesPerSecond: 10, burst: 5, clock);
        Assert.Equal(5, Take(limiter, 100));

        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, Take(limiter, 100));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(5, Take(limiter, 100));
    }

    [Fact]
    public void A_steady_sender_at_the_rate_is_never_refused_and_idle_time_does_not_count_twice()
    {
        var clock = new ManualClock();
        var limiter = new FrameRateLimiter(framesPerSecond: 10, burst: 10, clock);
        for (int i = 0; i < 1_000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(limiter.TryTake(), $"frame {i}");
        }

        // Idle for a long while, then a burst: the bucket holds ten, not the idle time's worth.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(10, Take(limiter, 100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Take(limiter, 100));
    }

    private static int Take(FrameRateLimiter limiter, int attempts)
    {
        int taken = 0;
        for (int i = 0; i < attempts; i++)
        {
            taken += limiter.TryTake() ? 1 : 0;
        }

        return taken;
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
