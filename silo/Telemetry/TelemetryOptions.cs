namespace TamTam.Silo.Telemetry;

/// <summary>
/// Metrics, traces and the console log's format, bound from <c>TamTam:Telemetry</c> and <c>TamTam:Logging</c>
/// (docs/metrics.md, silo/README.md). <c>/metrics</c> is always served; OTLP export is off until an endpoint is set.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>The configuration section of the metrics and trace settings.</summary>
    public const string SectionName = "TamTam:Telemetry";

    /// <summary>The configuration key of the console log's format.</summary>
    public const string LogFormatKey = "TamTam:Logging:Format";

    /// <summary>The path the Prometheus text format is served on, on the HTTP port.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>OTLP export of metrics and traces (<c>TamTam:Telemetry:Otlp</c>).</summary>
    public OtlpSettings Otlp { get; set; } = new();

    /// <summary><c>TamTam:Telemetry:Otlp</c>.</summary>
    public sealed record OtlpSettings
    {
        /// <summary>The gRPC protocol (the default; collectors listen on 4317).</summary>
        public const string Grpc = "grpc";

        /// <summary>HTTP with protobuf bodies (collectors listen on 4318; the silo appends <c>/v1/metrics</c> and <c>/v1/traces</c> to the endpoint).</summary>
        public const string HttpProtobuf = "http/protobuf";

        /// <summary>
        /// The collector's address, e.g. <c>http://otel-collector:4317</c>. Empty (the default) leaves OTLP off: no
        /// traces are recorded and metrics are only served on <c>/metrics</c>.
        /// </summary>
        public string Endpoint { get; set; } = string.Empty;

        /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
        public string Protocol { get; set; } = Grpc;

        /// <summary>How often metrics are pushed to the collector (default 15 s).</summary>
        public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>True when an endpoint is configured.</summary>
        public bool IsEnabled => !string.IsNullOrWhiteSpace(Endpoint);
    }
}
