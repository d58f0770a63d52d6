using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TamTam.Silo.Telemetry;

/// <summary>
/// The console log's defaults (silo/README.md, "Logs"): TamTam's own lines at Information, everything else —
/// Orleans, ASP.NET Core, the Azure SDK, Polly's retry attempts — from Warning; and the format, plain text or one JSON
/// object per line (<c>TamTam:Logging:Format=json</c>).
/// </summary>
internal static class SiloLogging
{
    /// <summary>Plain text, two lines per event (the default).</summary>
    public const string Text = "text";

    /// <summary>One JSON object per line, for log collectors.</summary>
    public const string Json = "json";

    // Orleans' grain-service lifecycle lines are logged under the relay's TamTam category; they are Orleans', not ours.
    private const string StreamRelayCategory = "TamTam.Grains.Streams.Internal.StreamRelayService";

    /// <exception cref="OptionsValidationException"><c>TamTam:Logging:Format</c> is neither text nor json.</exception>
    public static void Configure(WebApplicationBuilder builder)
    {
        string format = builder.Configuration[TelemetryOptions.LogFormatKey] ?? Text;
        bool json = string.Equals(format, Json, StringComparison.OrdinalIgnoreCase);
        if (!json && !string.Equals(format, Text, StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(TelemetryOptions.LogFormatKey, typeof(TelemetryOptions),
                [$"{TelemetryOptions.LogFormatKey} must be \"text\" or \"json\" (got \"{format}\")."]);
        }

        // Inserted first, so that any rule of the configuration (appsettings.json, Logging__LogLevel__… variables, an
        // embedder's own) for the same category wins over these: they are defaults, not overrides.
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            options.Rules.Insert(0, new LoggerFilterRule(null, null, LogLevel.Warning, null));
            options.Rules.Insert(1, new LoggerFilterRule(null, "TamTam", LogLevel.Information, null));
            options.Rules.Insert(2, new LoggerFilterRule(null, StreamRelayCategory, LogLevel.Warning, null));
        });

        if (json)
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }
}
