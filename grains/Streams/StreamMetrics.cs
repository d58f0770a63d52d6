using System.Diagnostics.Metrics;

namespace TamTam.Grains.Streams;

/// <summary>
/// Streaming mode's producer-side instruments on the meter <c>TamTam.Streams</c>:
/// <list type="bullet">
/// <item><c>tamtam.streams.packets.published</c> (counter, <c>{packet}</c>): packets numbered and enqueued on a port stream.</item>
/// <item><c>tamtam.streams.packets.refused</c> (counter, <c>{packet}</c>): packets the stream queue refused (the publisher got 302).</item>
/// </list>
/// The gateway adds the delivery side on the same meter name (see <c>SessionStreams</c>).
/// </summary>
public sealed class StreamMetrics
{
    /// <summary>The meter's name, for exporters and <c>dotnet-counters</c>.</summary>
    public const string MeterName = "TamTam.Streams";

    private readonly Counter<long> _published;
    private readonly Counter<long> _refused;

    public StreamMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("tamtam.streams.packets.published", "{packet}", "Packets numbered and enqueued on a port stream.");
        _refused = meter.CreateCounter<long>("tamtam.streams.packets.refused", "{packet}", "Packets the port stream's queue refused.");
    }

    internal void Published(int packets) => _published.Add(packets);

    internal void Refused(int packets) => _refused.Add(packets);
}
