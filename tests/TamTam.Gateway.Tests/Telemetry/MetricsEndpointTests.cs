using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Telemetry;

[Collection(SerialSiloCollection.Name)]
public sealed partial class MetricsEndpointTests(SiloFixture silo)
{
    private const int Messages = 20;

    [Fact]
    public async Task Metrics_serves_the_prometheus_text_format_and_its_message_counters_move_when_messages_are_sent()
    {
        Scrape before = await ScrapeAsync();

        await ExchangeAsync(Messages);
        Scrape after = await ScrapeAsync();

        Assert.Equal("text/plain", after.ContentType);
        Assert.InRange(after.Value("tamtam_gateway_frames_in_total", "tamtam_frame_type=\"SEND\"") - before.Value("tamtam_gateway_frames_in_total", "tamtam_frame_type=\"SEND\""),
            Messages, double.MaxValue);
        Assert.InRange(after.Value("tamtam_gateway_frames_in_total", "tamtam_frame_type=\"ACK\"") - before.Value("tamtam_gateway_frames_in_total", "tamtam_frame_type=\"ACK\""),
            Messages, double.MaxValue);
        Assert.InRange(after.Value("tamtam_gateway_frames_out_total", "tamtam_frame_type=\"DELIVER\"") - before.Value("tamtam_gateway_frames_out_total", "tamtam_frame_type=\"DELIVER\""),
            Messages, double.MaxValue);
        Assert.InRange(after.Value("tamtam_storage_log_records_total") - before.Value("tamtam_storage_log_records_total"), Messages, double.MaxValue);

        // The runtime's and Orleans' meters are served beside TamTam's.
        Assert.Contains("dotnet_gc_collections_total", after.Families.Keys);
        Assert.Contains("dotnet_process_cpu_time_seconds_total", after.Families.Keys);
        Assert.Contains(after.Families.Keys, name => name.StartsWith("orleans_", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_TamTam_instrument_in_the_code_is_a_row_of_docs_metrics_md_and_every_row_an_instrument()
    {
        IReadOnlyDictionary<string, MetricRow> table = MetricsTable.Read();
        var code = new Dictionary<string, MetricRow>(StringComparer.Ordinal);
        foreach (string file in MetricsTable.ProductionSources())
        {
            foreach (Match match in InstrumentCreation().Matches(File.ReadAllText(file)))
            {
                code[match.Groups["name"].Value] = new MetricRow(match.Groups["name"].Value, MetricsTable.TypeOf(match.Groups["kind"].Value), match.Groups["unit"].Value);
            }
        }

        Assert.NotEmpty(code);
        Assert.Equal(code.Keys.Order(StringComparer.Ordinal), table.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, MetricRow row) in code)
        {
            Assert.Equal(row, table[name]);
        }
    }

    [Fact]
    public async Task Every_TamTam_metric_the_endpoint_serves_after_traffic_is_a_row_of_docs_metrics_md_with_its_type()
    {
        await ExchangeAsync(5);
        Scrape scrape = await ScrapeAsync();
        IReadOnlyDictionary<string, MetricRow> table = MetricsTable.Read();
        var byPrometheusName = table.Values.ToDictionary(row => row.PrometheusName, StringComparer.Ordinal);

        string[] served = [.. scrape.Families.Keys.Where(name => name.StartsWith("tamtam_", StringComparison.Ordinal))];

        Assert.Contains("tamtam_gateway_sessions", served);
        Assert.Contains("tamtam_storage_log_fsync_duration_seconds", served);
        foreach (string name in served)
        {
            Assert.True(byPrometheusName.TryGetValue(name, out MetricRow? row), $"{name} is served on /metrics but has no row in docs/metrics.md");
            Assert.Equal(row.PrometheusType, scrape.Families[name]);
        }
    }

    private async Task<Scrape> ScrapeAsync()
    {
        using var http = new HttpClient { Timeout = FramePeer.Timeout };
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://{silo.HttpEndPoint}/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Scrape(response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A sender sends <paramref name="count"/> messages to a receiver that acknowledges each; returns once every STATUS came.</summary>
    private async Task ExchangeAsync(int count)
    {
        string link = $"metrics-{Guid.NewGuid():N}"[..24];
        await using WireClient receiver = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await receiver.ExpectOkAsync(new JoinFrame(link, "receiver"), 2);
        await receiver.ExpectOkAsync(new BindFrame(PortMode.Unicast, "in", Subtree: false), 3);
        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await sender.ExpectOkAsync(new JoinFrame(link, "sender"), 2);

        for (int i = 0; i < count; i++)
        {
            await sender.SendAsync(new SendFrame(Guid.CreateVersion7(), default, "in", 0, false, null, null, new ReadOnlySequence<byte>([(byte)i])),
                correlation: (uint)(10 + i));
            Assert.Equal(FrameType.Accepted, (await sender.ReceiveAsync()).Type);
            DeliverFrame deliver = await receiver.ReceiveAsync<DeliverFrame>();
            await receiver.SendAsync(new AckFrame(deliver.MessageId, deliver.Sequence), correlation: (uint)(10 + i));
            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal(FinalState.Delivered, status.State);
        }
    }

    // An instrument created by a Meter method, or by the gateway's ObservableCounterTally (an observable counter).
    [GeneratedRegex(@"(?:Create(?<kind>Counter|UpDownCounter|Histogram|Gauge|ObservableCounter|ObservableUpDownCounter|ObservableGauge)<\w+>|new (?<kind>ObservableCounter)Tally)\(\s*""(?<name>tamtam\.[^""]+)"",\s*""(?<unit>[^""]*)""")]
    private static partial Regex InstrumentCreation();

    /// <summary>One scrape: each metric family's type (from its <c># TYPE</c> line) and the samples' lines.</summary>
    private sealed class Scrape
    {
        private readonly string[] _lines;

        public Scrape(string? contentType, string text)
        {
            ContentType = contentType;
            _lines = text.Split('\n');
            var families = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in _lines)
            {
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ');
                    families[parts[2]] = parts[3];
                }
            }

            Families = families;
        }

        public string? ContentType { get; }

        public IReadOnlyDictionary<string, string> Families { get; }

        /// <summary>The sum of the family's samples whose labels contain <paramref name="label"/> (all when null); 0 when none.</summary>
        public double Value(string name, string? label = null)
        {
            double sum = 0;
            foreach (string line in _lines)
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' '
                    && (label is null || line.Contains(label, StringComparison.Ordinal)))
                {
                    // "name{labels} value [timestamp]": label values may hold spaces, so the value is read after the labels.
                    int labelsEnd = line.LastIndexOf('}');
                    string rest = labelsEnd < 0 ? line[name.Length..] : line[(labelsEnd + 1)..];
                    sum += double.Parse(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
                }
            }

            return sum;
        }
    }
}
