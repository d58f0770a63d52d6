using System.Diagnostics;

namespace TamTam.Gateway.Diagnostics;

/// <summary>
/// The spans of parted transfers at the gateway, on the activity source <c>TamTam.Transfers</c> (docs/metrics.md, "Traces"):
/// <c>tamtam.transfer.upload</c> from a parted SEND to its ACCEPTED (or refusal) on one connection, a child of the sender's
/// trace context when the SEND carried one; <c>tamtam.transfer.download</c> while the parts of a parted delivery are streamed
/// to a node, a child of the <c>tamtam.message.deliver</c> span of its DELIVER.
/// </summary>
public static class TransferTracing
{
    /// <summary>The activity source's name, for exporters and listeners.</summary>
    public const string SourceName = "TamTam.Transfers";

    internal static readonly ActivitySource Source = new(SourceName, typeof(TransferTracing).Assembly.GetName().Version?.ToString());

    /// <summary>An upload begun at <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) ended: accepted, or refused with <paramref name="errorCode"/>.</summary>
    internal static void Uploaded(Guid messageId, long totalSize, int partCount, string? traceParent, long startedAt, int errorCode)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        using Activity? activity = Source.StartActivity("tamtam.transfer.upload", ActivityKind.Server, MessageTelemetry.ParentOf(traceParent),
            startTime: DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startedAt));
        if (activity is null)
        {
            return;
        }

        activity.SetTag(MessageTelemetry.MessageIdTag, messageId.ToString());
        activity.SetTag("tamtam.transfer.size", totalSize);
        activity.SetTag("tamtam.transfer.parts", partCount);
        if (errorCode != 0)
        {
            activity.SetTag("tamtam.error.code", errorCode);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>Starts the span of streaming a parted delivery's parts to <paramref name="node"/>; null when nobody listens.</summary>
    internal static Activity? Downloading(Guid messageId, string node, long totalSize, int partCount)
    {
        Activity? activity = Source.HasListeners() ? Source.StartActivity("tamtam.transfer.download", ActivityKind.Producer) : null;
        if (activity is not null)
        {
            activity.SetTag(MessageTelemetry.MessageIdTag, messageId.ToString());
            activity.SetTag("tamtam.node", node);
            activity.SetTag("tamtam.transfer.size", totalSize);
            activity.SetTag("tamtam.transfer.parts", partCount);
        }

        return activity;
    }
}
