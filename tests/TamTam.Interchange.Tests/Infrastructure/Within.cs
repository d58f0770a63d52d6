namespace TamTam.Interchange.Tests.Infrastructure;

/// <summary>How long a test waits for what should happen promptly; nothing sleeps.</summary>
internal static class Within
{
    public static readonly TimeSpan Exchange = TimeSpan.FromSeconds(20);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Exchange);

    public static Task Bounded(this Task task) => task.WaitAsync(Exchange);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Exchange);

    public static Task Bounded(this ValueTask task) => task.AsTask().WaitAsync(Exchange);
}
