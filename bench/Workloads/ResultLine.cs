using System.Text.Json;
using System.Text.Json.Serialization;

namespace TamTam.Bench.Workloads;

/// <summary>The one-JSON-line form every workload result takes (snake_case, nulls left out), as W1's does.</summary>
internal static class ResultLine
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Print<T>(T result) => Console.WriteLine(JsonSerializer.Serialize(result, Json));
}
