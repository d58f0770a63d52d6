using TamTam.Gateway.Streams.Internal;

namespace TamTam.Gateway.Tests.Streams;

public sealed class SubscriberLagTests
{
    private static readonly long Stalled = (long)SubscriberLag.StalledAfter.TotalMilliseconds;

    [Fact]
    public void A_subscriber_that_keeps_taking_batches_reports_its_whole_backlog()
    {
        var lag = new SubscriberLag(now: 0);
        Assert.Equal(100, lag.Offered(fromEmpty: true, backlog: 100, now: 10));
        for (long now = 0; now < 5 * Stalled; now += Stalled / 2)
        {
            lag.Progressed(now);
            Assert.Equal(30_000, lag.Offered(fromEmpty: false, backlog: 30_000, now: now + (Stalled / 2) - 1));
        }
    }

    [Fact]
    public void A_subscriber_whose_socket_took_nothing_for_the_stall_period_reports_no_backlog_until_it_takes_again()
    {
        var lag = new SubscriberLag(now: 0);
        Assert.Equal(200, lag.Offered(fromEmpty: true, backlog: 200, now: 0));
        Assert.Equal(40_000, lag.Offered(fromEmpty: false, backlog: 40_000, now: Stalled - 1));
        Assert.Equal(0, lag.Offered(fromEmpty: false, backlog: 40_200, now: Stalled));
        Assert.Equal(0, lag.Offered(fromEmpty: false, backlog: 40_400, now: 10 * Stalled));

        lag.Progressed(10 * Stalled + 5);
        Assert.Equal(40_000, lag.Offered(fromEmpty: false, backlog: 40_000, now: 10 * Stalled + 6));
    }

    [Fact]
    public void A_backlog_that_starts_from_empty_has_not_waited_however_long_the_socket_was_idle()
    {
        // An idle subscriber's socket takes nothing because nothing is sent: its first batch after a long quiet is no stall.
        var lag = new SubscriberLag(now: 0);
        Assert.Equal(300, lag.Offered(fromEmpty: true, backlog: 300, now: 60 * Stalled));
        Assert.Equal(600, lag.Offered(fromEmpty: false, backlog: 600, now: 60 * Stalled + 1));
    }
}
