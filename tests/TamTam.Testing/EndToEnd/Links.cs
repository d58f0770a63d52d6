namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Link names of their own per test, so that tests on one silo never see each other's nodes.</summary>
internal static class Links
{
    /// <summary>A fresh link name: <paramref name="purpose"/> (keep it short: names are at most 64 bytes) and 32 hex digits.</summary>
    public static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}";
}
