using Orleans;
using Orleans.Runtime;
using TamTam.Storage.Tests.Grains;

namespace TamTam.Storage.Tests.Hosting;

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    public async Task<int> IncrementAsync()
    {
        counter.State.Count++;
        await counter.WriteStateAsync();
        return counter.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(counter.State.Count);
}
