using System.Diagnostics;
using System.Diagnostics.Metrics;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Gateway.Diagnostics;

/// <summary>
/// A message's life as the gateway sees it — accepted, delivered, settled (ACK or NACK), final state — counted on the
/// meter <c>TamTam.Messages</c> and traced on the activity source <c>TamTam.Messages</c> (docs/metrics.md):
/// <list type="bullet">
/// <item><c>tamtam.messages.accepted</c> (observable counter, <c>{message}</c>, tag <c>tamtam.duplicate</c>): SENDs answered ACCEPTED.</item>
/// <item><c>tamtam.messages.refused</c> (counter, <c>{message}</c>, tag <c>tamtam.error.code</c>): SENDs answered with an ERROR.</item>
/// <item><c>tamtam.messages.accept.duration</c> (histogram, <c>s</c>): from the link call carrying a SEND to its answer (group commit included).</item>
/// <item><c>tamtam.messages.delivered</c> (observable counter, <c>{delivery}</c>, tag <c>tamtam.redelivery</c>): DELIVER frames written.</item>
/// <item><c>tamtam.messages.settled</c> (observable counter, <c>{delivery}</c>, tag <c>tamtam.outcome</c>): ACKs and NACKs the link took.</item>
/// <item><c>tamtam.messages.final</c> (observable counter, <c>{status}</c>, tag <c>tamtam.final_state</c>): STATUS frames written to senders.</item>
/// </list>
/// Spans (one per stage, each a short span of its own, all tagged <c>tamtam.message.id</c>): <c>tamtam.message.accept</c>,
/// <c>tamtam.message.deliver</c>, <c>tamtam.message.settle</c>, <c>tamtam.message.final</c>. A message's life crosses
/// grain turns, sessions and processes, so no span stays open across it: a stage whose message carries the sender's trace
/// context (SEND flag <c>TRACED</c>, docs/protocol.md 5.10) is a child of it, a settle span a child of the deliver span
/// its session wrote.
/// </summary>
public sealed class MessageTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string SourceName = "TamTam.Messages";

    internal const string MessageIdTag = "tamtam.message.id";
    private const string LinkTag = "tamtam.link";
    private const string PortTag = "tamtam.port";
    private const string NodeTag = "tamtam.node";
    private const string SequenceTag = "tamtam.sequence";
    private const string ErrorCodeTag = "tamtam.error.code";

    internal static readonly ActivitySource Source = new(SourceName, typeof(MessageTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly object?[] Booleans = [false, true];
    private static readonly object?[] Outcomes = ["ack", "requeue", "reject"];

    private readonly ObservableCounterTally _accepted;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _acceptDuration;
    private readonly ObservableCounterTally _delivered;
    private readonly ObservableCounterTally _settled;
    private readonly ObservableCounterTally _final;

    public MessageTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(SourceName);
        // Counted once a message or more per stage: plain totals, read when a listener collects.
        _accepted = new ObservableCounterTally("tamtam.messages.accepted", "{message}", "SENDs answered ACCEPTED.", meter, "tamtam.duplicate", Booleans);
        _refused = meter.CreateCounter<long>("tamtam.messages.refused", "{message}", "SENDs answered with an ERROR.");
        _acceptDuration = meter.CreateHistogram<double>("tamtam.messages.accept.duration", "s", "From the link call carrying a SEND to its answer.");
        _delivered = new ObservableCounterTally("tamtam.messages.delivered", "{delivery}", "DELIVER frames written to receivers.", meter,
            "tamtam.redelivery", Booleans);
        _settled = new ObservableCounterTally("tamtam.messages.settled", "{delivery}", "ACKs and NACKs the link took.", meter, "tamtam.outcome", Outcomes);
        _final = new ObservableCounterTally("tamtam.messages.final", "{status}", "STATUS frames written to senders.", meter, "tamtam.final_state",
            [.. Enumerable.Range(0, 256).Select(state => (object?)((FinalState)state).WireName())]);
    }

    /// <summary>The link answered a SEND (accepted or refused) after the call begun at <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal void Answered(SendCommand command, string link, SendOutcome outcome, long startedAt)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(startedAt);
        _acceptDuration.Record(elapsed.TotalSeconds);
        if (outcome.Accepted)
        {
            _accepted.Add(outcome.Duplicate ? 1 : 0);
        }
        else
        {
            _refused.Add(1, new KeyValuePair<string, object?>(ErrorCodeTag, (int)outcome.Code));
        }

        if (!Source.HasListeners())
        {
            return;
        }

        using Activity? activity = Source.StartActivity("tamtam.message.accept", ActivityKind.Server, ParentOf(command.TraceParent),
            startTime: DateTimeOffset.UtcNow - elapsed);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(MessageIdTag, command.MessageId.ToString());
        activity.SetTag(LinkTag, link);
        activity.SetTag(PortTag, command.Port);
        if (outcome.Accepted)
        {
            activity.SetTag(SequenceTag, (long)outcome.Sequence);
            activity.SetTag("tamtam.duplicate", outcome.Duplicate);
        }
        else
        {
            activity.SetTag(ErrorCodeTag, (int)outcome.Code);
            activity.SetStatus(ActivityStatusCode.Error, outcome.Detail);
        }
    }

    /// <summary>
    /// A DELIVER is about to be written to <paramref name="node"/>; the span ends when the caller disposes it, once the
    /// frame is written. Null when nobody listens.
    /// </summary>
    internal Activity? Delivering(Delivery delivery, string node)
    {
        _delivered.Add(delivery.Redelivery ? 1 : 0);
        Activity? activity = Source.HasListeners()
            ? Source.StartActivity("tamtam.message.deliver", ActivityKind.Producer, ParentOf(delivery.TraceParent))
            : null;
        if (activity is not null)
        {
            activity.SetTag(MessageIdTag, delivery.MessageId.ToString());
            activity.SetTag(LinkTag, delivery.Link);
            activity.SetTag(PortTag, delivery.Port);
            activity.SetTag(NodeTag, node);
            activity.SetTag(SequenceTag, (long)delivery.Sequence);
            activity.SetTag("tamtam.attempt", (int)delivery.Attempt);
        }

        return activity;
    }

    /// <summary>The link took (or refused, <paramref name="result"/>) an ACK or NACK after the call begun at <paramref name="startedAt"/>.</summary>
    internal void Settled(AckCommand command, string link, string node, ErrorCode result, long startedAt, ActivityContext delivered)
    {
        int kind = !command.Nack ? 0 : command.Requeue ? 1 : 2;
        if (result == ErrorCode.None)
        {
            _settled.Add(kind);
        }

        if (!Source.HasListeners())
        {
            return;
        }

        using Activity? activity = Source.StartActivity("tamtam.message.settle", ActivityKind.Server, delivered,
            startTime: DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startedAt));
        if (activity is null)
        {
            return;
        }

        activity.SetTag(MessageIdTag, command.MessageId.ToString());
        activity.SetTag(LinkTag, link);
        activity.SetTag(NodeTag, node);
        activity.SetTag(SequenceTag, (long)command.Sequence);
        activity.SetTag("tamtam.outcome", (string)Outcomes[kind]!);
        if (result != ErrorCode.None)
        {
            activity.SetTag(ErrorCodeTag, (int)result);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>A STATUS (the message's final state) is written to its sender <paramref name="node"/> of <paramref name="link"/>.</summary>
    internal void Final(StatusReport status, string link, string node)
    {
        _final.Add((byte)status.State);
        if (!Source.HasListeners())
        {
            return;
        }

        string state = status.State.WireName();

        using Activity? activity = Source.StartActivity("tamtam.message.final", ActivityKind.Producer, default(ActivityContext));
        if (activity is null)
        {
            return;
        }

        activity.SetTag(MessageIdTag, status.MessageId.ToString());
        activity.SetTag(LinkTag, link);
        activity.SetTag(NodeTag, node);
        activity.SetTag("tamtam.final_state", state);
        activity.SetTag("tamtam.recipients", (long)status.Recipients);
        activity.SetTag("tamtam.confirmed", (long)status.Confirmed);
        if (status.State != FinalState.Delivered)
        {
            activity.SetStatus(ActivityStatusCode.Error, status.Detail);
        }
    }

    /// <summary>The W3C <c>traceparent</c> a message carries as a parent context; default (a new trace) when none or malformed.</summary>
    internal static ActivityContext ParentOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out ActivityContext context) ? context : default;
}
