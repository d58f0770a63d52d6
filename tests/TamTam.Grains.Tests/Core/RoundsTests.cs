using TamTam.Grains.Links.Internal;

namespace TamTam.Grains.Tests.Core;

/// <summary>Work done one round at a time: calls during a round make one more round, not one each.</summary>
public sealed class RoundsTests
{
    [Fact]
    public async Task Calls_during_a_round_make_one_more_round_and_a_call_after_it_starts_a_new_one()
    {
        var rounds = new Rounds();
        int ran = 0;
        var release = new TaskCompletionSource();
        async Task Round()
        {
            ran++;
            if (ran == 1)
            {
                await release.Task;
            }
        }

        Task first = rounds.RunAsync(Round, () => false);
        Assert.Equal(1, ran);
        await rounds.RunAsync(Round, () => false); // returns at once: the running round goes again
        await rounds.RunAsync(Round, () => false);
        Assert.Equal(1, ran);

        release.SetResult();
        await first;
        Assert.Equal(2, ran);

        await rounds.RunAsync(Round, () => false);
        Assert.Equal(3, ran);
    }

    [Fact]
    public async Task A_stop_ends_the_rounds_though_a_call_came_and_a_failed_round_frees_the_runner()
    {
        var rounds = new Rounds();
        int ran = 0;
        var release = new TaskCompletionSource();
        Task first = rounds.RunAsync(async () => { ran++; await release.Task; }, () => true);
        await rounds.RunAsync(() => { ran++; return Task.CompletedTask; }, () => true);
        release.SetResult();
        await first;
        Assert.Equal(1, ran);

        await Assert.ThrowsAsync<InvalidOperationException>(() => rounds.RunAsync(() => throw new InvalidOperationException(), () => false));
        await rounds.RunAsync(() => { ran++; return Task.CompletedTask; }, () => false);
        Assert.Equal(2, ran);
    }
}
