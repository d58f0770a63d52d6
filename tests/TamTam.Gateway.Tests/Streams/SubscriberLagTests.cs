using TamTam.Gateway.Streams.Internal;

namespace TamTam.Gateway.Tests.Streams;

public sealed class SubscriberLagTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(7_500)]
    public void A_subscriber_that_keeps_taking_batches_reports_its_whole_backlog(long stalled)
    {
        var lag = new SubscriberLag(now: 0, TimeSpan.FromMilliseconds(stalled));
        Assert.Equal(100, lag.Offered(fromEmpty: true, backlog: 100, now: 10));
        for (long now = 0; now < 5 * stalled; now += stalled / 2)
        {
            lag.Progressed(now);
            Assert.Equal(30_000, lag.Offered(fromEmpty: false, backlog: 30_000, now: now + (stalled / 2) - 1));
        }
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(7_500)]
    public void A_subscriber_whose_socket_took_nothing_for_the_stall_period_reports_no_backlog_until_it_takes_again(long stalled)
    {
        var lag = new SubscriberLag(now: 0, TimeSpan.FromMilliseconds(stalled));
        Assert.Equal(200, lag.Offered(fromEmpty: true, backlog: 200, now: 0));
        Assert.Equal(40_000, lag.Offered(fromEmpty: false, backlog: 40_000, now: stalled - 1));
        Assert.Equal(0, lag.Offered(fromEmpty: false, backlog: 40_200, now: stalled));
        Assert.Equal(0, lag.Offered(fromEmpty: false, backlog: 40_400, now: 10 * stalled));

        lag.Progressed(10 * stalled + 5);
        Assert.Equal(40_000, lag.Offered(fromEmpty: false, backlog: 40_000, now: 10 * stalled + 6));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(7_500)]
    public void A_backlog_that_starts_from_empty_has_not_waited_however_long_the_socket_was_idle(long stalled)
    {
        // An idle subscriber's socket takes nothing because nothing is sent: its first batch after a long quiet is no stall.
        var lag = new SubscriberLag(now: 0, TimeSpan.FromMilliseconds(stalled));
        Assert.Equal(300, lag.Offered(fromEmpty: true, backlog: 300, now: 60 * stalled));
        Assert.Equal(600, lag.Offered(fromEmpty: false, backlog: 600, now: 60 * stalled + 1));
    }
}
