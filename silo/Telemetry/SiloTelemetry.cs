using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TamTam.Gateway.Diagnostics;

namespace TamTam.Silo.Telemetry;

/// <summary>
/// The host's metrics and traces through OpenTelemetry (docs/metrics.md): every TamTam meter, the .NET runtime's and
/// Orleans' served in the Prometheus text format on <c>GET /metrics</c>, and, when <c>TamTam:Telemetry:Otlp:Endpoint</c>
/// is set, metrics and the message and transfer spans pushed to an OTLP collector.
/// </summary>
public static class SiloTelemetry
{
    /// <summary>The service name the resource carries (<c>service.name</c>).</summary>
    public const string ServiceName = "tamtam-silo";

    /// <summary>Every meter of TamTam's assemblies: <c>TamTam.Gateway</c>, <c>TamTam.Streams</c>, <c>TamTam.Storage</c>, …</summary>
    public const string TamTamMeters = "TamTam.*";

    /// <summary>Orleans' runtime meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Sets the console log's defaults and format (<c>TamTam:Logging:Format</c>), and registers OpenTelemetry's metrics (always, for <c>/metrics</c>) and traces (when OTLP is configured; tests and
    /// embedders may add their own exporter through <c>ConfigureOpenTelemetryTracerProvider</c>).
    /// </summary>
    /// <exception cref="OptionsValidationException">A <c>TamTam:Telemetry</c> value is invalid; the message names its key.</exception>
    public static WebApplicationBuilder AddTamTamTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TelemetryOptions options = Read(builder.Configuration);
        builder.Services.AddSingleton(options);
        SiloLogging.Configure(builder);

        OpenTelemetry.OpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(SiloTelemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TamTamMeters, OrleansMeter)
                    .AddRuntimeInstrumentation()
                    // No response cache (the exporter's default keeps one for 300 ms): a scrape shows the counts of now.
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (options.Otlp.IsEnabled)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Configure(exporter, options.Otlp, MetricsSignalPath);
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.Otlp.MetricsInterval.TotalMilliseconds;
                    });
                }
            });

        // Spans cost an allocation per message stage; they are recorded only when something exports them.
        if (options.Otlp.IsEnabled)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(MessageTelemetry.SourceName, TransferTracing.SourceName)
                .AddOtlpExporter(exporter => Configure(exporter, options.Otlp, TracesSignalPath)));
        }

        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c>: the Prometheus text format (or OpenMetrics, when the scraper asks for it).</summary>
    public static IEndpointRouteBuilder MapTamTamMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath);
        return endpoints;
    }

    private const string TracesSignalPath = "v1/traces";
    private const string MetricsSignalPath = "v1/metrics";

    /// <summary>
    /// Points the exporter at the collector. With <c>http/protobuf</c> the configured endpoint is the collector's base
    /// address and the signal's path (<c>/v1/traces</c>, <c>/v1/metrics</c>) is appended here: the exporter appends it
    /// only to an endpoint read from <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and posts to an endpoint set in code as it is.
    /// </summary>
    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions.OtlpSettings otlp, string signalPath)
    {
        if (IsHttp(otlp.Protocol))
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(otlp.Endpoint.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = new Uri(otlp.Endpoint);
        }
    }

    private static bool IsHttp(string protocol) => string.Equals(protocol, TelemetryOptions.OtlpSettings.HttpProtobuf, StringComparison.OrdinalIgnoreCase);

    /// <exception cref="OptionsValidationException">A value is out of range; the message names its key.</exception>
    internal static TelemetryOptions Read(IConfiguration configuration)
    {
        var options = new TelemetryOptions();
        configuration.GetSection(TelemetryOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        var failures = new List<string>();
        TelemetryOptions.OtlpSettings otlp = options.Otlp;
        if (otlp.IsEnabled && (!Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add($"TamTam:Telemetry:Otlp:Endpoint must be an absolute http or https address such as http://collector:4317 (got \"{otlp.Endpoint}\").");
        }

        if (!IsHttp(otlp.Protocol) && !string.Equals(otlp.Protocol, TelemetryOptions.OtlpSettings.Grpc, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"TamTam:Telemetry:Otlp:Protocol must be \"grpc\" or \"http/protobuf\" (got \"{otlp.Protocol}\").");
        }

        if (otlp.MetricsInterval < TimeSpan.FromSeconds(1) || otlp.MetricsInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"TamTam:Telemetry:Otlp:MetricsInterval must be 00:00:01 … 01:00:00 (got {otlp.MetricsInterval}).");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(TelemetryOptions.SectionName, typeof(TelemetryOptions), failures);
        }

        return options;
    }
}
