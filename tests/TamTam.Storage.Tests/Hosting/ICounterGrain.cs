using Orleans;

namespace TamTam.Storage.Tests.Hosting;

/// <summary>A grain whose state lives in the silo's default grain storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();
}
