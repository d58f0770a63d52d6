namespace TamTam.Grains.Streams;

/// <summary>Streaming mode's silo settings, bound from <c>TamTam:Streams</c>.</summary>
public sealed record StreamingOptions
{
    public const string Section = "TamTam:Streams";

    /// <summary>Memory stream queues (pulling agents) per cluster; a power of two.</summary>
    public int Queues { get; set; } = 8;

    /// <summary>
    /// How often an idle pulling agent looks at its queue. Orleans' default (100 ms) puts up to that much on
    /// every packet's latency when traffic is sparse; a busy agent reads again at once whatever this says.
    /// </summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(1);
}
