namespace TamTam.Grains.Tests.Infrastructure;

/// <summary>How long tests wait for an event that should come: long enough for a loaded CI machine.</summary>
internal static class Patience
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(10);

    /// <summary>Awaits <paramref name="task"/>, failing with <paramref name="what"/> if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Event);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Event).TotalSeconds:0.#} s waiting for {what}");
        }
    }

    /// <inheritdoc cref="Within{T}(Task{T}, string, TimeSpan?)"/>
    public static async Task Within(this Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Event);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"timed out after {(timeout ?? Event).TotalSeconds:0.#} s waiting for {what}");
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds: for state only a query can show.</summary>
    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Event);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(20);
        }
    }
}
