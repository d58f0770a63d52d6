using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W4;

/// <summary>
/// W4 request/reply latency: a requester node sends one 64-byte request at a time to a unicast port; a
/// responder node bound there answers each with a message of the same payload to the requester's reply port.
/// A round trip is timed from the request's send to the reply in the requester's hands, 20,000 of them in
/// sequence after an unreported warm-up.
/// </summary>
/// <remarks>
/// <c>--mode send</c> (default): SEND, acknowledged by each receiver, so each round trip crosses the link's
/// durable log twice (two group commits with their fsyncs). <c>--mode stream</c>: STREAM packets, no
/// acknowledgement, no log — the shape of the peers' core request/reply. <c>--mode request</c>: the SDK's
/// <c>RequestAsync</c>/<c>ReplyAsync</c> (docs/protocol.md section 5.10.1) — SEND both ways as in <c>send</c>, the reply
/// to the requester's own reply port, matched by correlation id.
/// </remarks>
internal static class RequestReply
{
    public const string RequestPort = "w4/request";
    public const string ReplyPort = "w4/reply";
    private const int DefaultRoundTrips = 20_000;
    private const int DefaultPayload = 64;

    // As many as the run itself, for the same reason as W2's: the hot paths' final compilation comes after a few seconds.
    private const int WarmupRoundTrips = 20_000;
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(Interchange interchange, WorkloadOptions options)
    {
        int roundTrips = options.MessagesOr(DefaultRoundTrips);
        int size = options.PayloadBytes == 256 ? DefaultPayload : options.PayloadBytes;
        string mode = options.Mode ?? "send";
        if (mode is not ("send" or "stream" or "request"))
        {
            throw new ArgumentException("w4 --mode takes send, stream or request");
        }

        Uri uri = interchange.UriFor(options.Transport);
        string link = $"w4-{Guid.NewGuid():N}"[..11];
        using var setup = new CancellationTokenSource(SetupTimeout);
        var clientOptions = new TamTamClientOptions { Uri = uri, ClientName = "tamtam-bench/w4" };
        await using TamTamClient requester = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
        await using TamTamClient responder = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
        await requester.JoinAsync(link, "requester", setup.Token);
        await responder.JoinAsync(link, "responder", setup.Token);
        PortMode portMode = mode == "stream" ? PortMode.Group : PortMode.Unicast;
        await requester.BindAsync(ReplyPort, portMode, subtree: false, setup.Token);
        await responder.BindAsync(RequestPort, portMode, subtree: false, setup.Token);

        var payloads = new RandomPayloads(size);
        using var limit = new CancellationTokenSource(options.Limit);
        IRoundTrip trip = mode switch
        {
            "stream" => new StreamRoundTrip(requester, responder),
            "request" => new RequestRoundTrip(requester, responder),
            _ => new SendRoundTrip(requester, responder),
        };
        Task responding = trip.RespondAsync(limit.Token);
        try
        {
            for (int i = 0; i < options.WarmupOr(WarmupRoundTrips); i++)
            {
                await trip.RoundTripAsync(payloads.For(i), limit.Token);
            }

            var latencies = new LatencyRecorder(roundTrips);
            long cpuBefore = CpuTicks();
            long start = Stopwatch.GetTimestamp();
            int done = 0;
            string? error = null;
            try
            {
                for (; done < roundTrips; done++)
                {
                    long sentAt = Stopwatch.GetTimestamp();
                    await trip.RoundTripAsync(payloads.For(done), limit.Token);
                    latencies.Record(sentAt);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or TamTamException or TimeoutException)
            {
                error = exception.Message;
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            ResultLine.Print(new
            {
                Workload = "w4",
                Mode = mode,
                Transport = Interchange.TransportOf(uri),
                Server = interchange.Name,
                RoundTrips = roundTrips,
                Completed = done,
                PayloadBytes = size,
                Seconds = Math.Round(seconds, 3),
                RoundTripsPerS = Math.Round(done / seconds),
                P50Us = latencies.Percentile(0.50),
                P99Us = latencies.Percentile(0.99),
                P999Us = latencies.Percentile(0.999),
                MaxUs = latencies.Percentile(1.0),
                CpuUsPerRoundTrip = done == 0 ? 0 : Math.Round(TimeSpan.FromTicks(CpuTicks() - cpuBefore).TotalMicroseconds / done, 1),
                Complete = done == roundTrips,
                Settings = interchange.Settings,
                Error = error,
                Date = Workload.Today,
            });
            return done == roundTrips ? 0 : 1;
        }
        finally
        {
            await limit.CancelAsync();
            await responding;
        }
    }

    private static long CpuTicks()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.Ticks;
    }

    /// <summary>One request out and its reply back, the same way for SEND and STREAM.</summary>
    private interface IRoundTrip
    {
        Task RespondAsync(CancellationToken cancellationToken);

        ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken);
    }

    /// <summary>SEND both ways: each receiver acknowledges; the requester waits for the reply, not for ACCEPTED of its request.</summary>
    private sealed class SendRoundTrip(TamTamClient requester, TamTamClient responder) : IRoundTrip
    {
        private readonly IAsyncEnumerator<IncomingMessage> _replies = requester.ReceiveAsync().GetAsyncEnumerator();

        public async Task RespondAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (IncomingMessage request in responder.ReceiveAsync(cancellationToken))
                {
                    await request.AckAsync(cancellationToken);
                    _ = await responder.SendAsync(ReplyPort, request.Payload, options: null, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or TamTamException)
            {
                // The run is over (or cut short): the requester reports what completed.
            }
        }

        public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken)
        {
            ValueTask<SendReceipt> sent = requester.SendAsync(RequestPort, payload, options: null, cancellationToken);
            if (!await _replies.MoveNextAsync().AsTask().WaitAsync(cancellationToken))
            {
                throw new TamTamException(ErrorCode.None, "the requester's deliveries ended");
            }

            IncomingMessage reply = _replies.Current;
            await reply.AckAsync(cancellationToken);
            _ = await sent;
            if (reply.Payload.Length != payload.Length || reply.Payload.Span[0] != payload[0])
            {
                throw new InvalidOperationException("the reply does not echo its request");
            }
        }
    }

    /// <summary>RequestAsync and ReplyAsync: the responder replies, then acknowledges; the SDK acknowledges the reply.</summary>
    private sealed class RequestRoundTrip(TamTamClient requester, TamTamClient responder) : IRoundTrip
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        public async Task RespondAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (IncomingMessage request in responder.ReceiveAsync(cancellationToken))
                {
                    _ = await responder.ReplyAsync(request, request.Payload, options: null, cancellationToken);
                    await request.AckAsync(cancellationToken);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or TamTamException)
            {
                // The run is over (or cut short): the requester reports what completed.
            }
        }

        public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken)
        {
            IncomingMessage reply = await requester.RequestAsync(RequestPort, payload, Timeout, options: null, cancellationToken);
            if (reply.Payload.Length != payload.Length || reply.Payload.Span[0] != payload[0])
            {
                throw new InvalidOperationException("the reply does not echo its request");
            }
        }
    }

    /// <summary>STREAM both ways: nothing acknowledged, nothing durable.</summary>
    private sealed class StreamRoundTrip(TamTamClient requester, TamTamClient responder) : IRoundTrip
    {
        private readonly IAsyncEnumerator<StreamPacket> _replies = requester.ReceiveStreamAsync().GetAsyncEnumerator();

        public async Task RespondAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (StreamPacket request in responder.ReceiveStreamAsync(cancellationToken))
                {
                    await responder.PublishAsync(ReplyPort, request.Payload, options: null, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or TamTamException)
            {
                // The run is over (or cut short): the requester reports what completed.
            }
        }

        public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken)
        {
            await requester.PublishAsync(RequestPort, payload, options: null, cancellationToken);
            if (!await _replies.MoveNextAsync().AsTask().WaitAsync(cancellationToken))
            {
                throw new TamTamException(ErrorCode.None, "the requester's stream packets ended");
            }

            if (_replies.Current.Payload.Length != payload.Length || _replies.Current.Payload.Span[0] != payload[0])
            {
                throw new InvalidOperationException("the reply does not echo its request");
            }
        }
    }
}
