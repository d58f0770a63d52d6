using System.Buffers;
using System.Diagnostics;
using TamTam.Client;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Telemetry;

[Collection(SiloCollection.Name)]
public sealed class MessageTracingTests(SiloFixture silo)
{
    private const string TestSource = "TamTam.Gateway.Tests.Tracing";
    private static readonly TimeSpan Timeout = FramePeer.Timeout;

    [Fact]
    public async Task A_message_sent_inside_an_activity_is_traced_in_the_senders_trace_from_accept_to_its_final_state()
    {
        using var spans = new SpanRecorder(MessageTelemetry.SourceName, TestSource);
        using var source = new ActivitySource(TestSource);
        string link = $"trace-{Guid.NewGuid():N}"[..24];
        await using TamTamClient receiver = await ConnectAsync(link, "receiver");
        await receiver.BindAsync("in");
        await using TamTamClient sender = await ConnectAsync(link, "sender");

        SendReceipt receipt;
        ActivityContext sending;
        using (Activity parent = source.StartActivity("send an order")!)
        {
            sending = parent.Context;
            receipt = await sender.SendAsync("in", "order"u8.ToArray());
        }

        IncomingMessage message = await FirstAsync(receiver);
        await message.AckAsync();
        MessageStatus status = await receipt.WaitForCompletionAsync().WaitAsync(Timeout);

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.NotNull(message.TraceParent);
        Assert.True(ActivityContext.TryParse(message.TraceParent, null, out ActivityContext carried));
        Assert.Equal((sending.TraceId, sending.SpanId), (carried.TraceId, carried.SpanId));

        Activity accept = await spans.WaitForAsync("tamtam.message.accept", receipt.MessageId, Timeout);
        Activity deliver = await spans.WaitForAsync("tamtam.message.deliver", receipt.MessageId, Timeout);
        Activity settle = await spans.WaitForAsync("tamtam.message.settle", receipt.MessageId, Timeout);
        Activity final = await spans.WaitForAsync("tamtam.message.final", receipt.MessageId, Timeout);
        Assert.Equal((sending.TraceId, sending.SpanId), (accept.TraceId, accept.ParentSpanId));
        Assert.Equal((sending.TraceId, sending.SpanId), (deliver.TraceId, deliver.ParentSpanId));
        Assert.Equal((deliver.TraceId, deliver.SpanId), (settle.TraceId, settle.ParentSpanId));
        Assert.Equal((long)receipt.Sequence, accept.GetTagItem("tamtam.sequence"));
        Assert.Equal("receiver", deliver.GetTagItem("tamtam.node"));
        Assert.Equal("ack", settle.GetTagItem("tamtam.outcome"));
        Assert.Equal("DELIVERED", final.GetTagItem("tamtam.final_state"));
    }

    [Fact]
    public async Task A_traceparent_a_SEND_carries_comes_unchanged_in_its_DELIVER()
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        string link = $"trace-{Guid.NewGuid():N}"[..24];
        await using WireClient receiver = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await receiver.ExpectOkAsync(new JoinFrame(link, "receiver"), 2);
        await receiver.ExpectOkAsync(new BindFrame(PortMode.Unicast, "in", Subtree: false), 3);
        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await sender.ExpectOkAsync(new JoinFrame(link, "sender"), 2);

        await sender.SendAsync(new SendFrame(Guid.CreateVersion7(), default, "in", 0, false, null, null, new ReadOnlySequence<byte>([1]),
            new TraceContext(traceParent)), correlation: 10);

        Assert.Equal(FrameType.Accepted, (await sender.ReceiveAsync()).Type);
        ReceivedFrame deliver = await receiver.ReceiveAsync();
        Assert.Equal(FrameType.Deliver, deliver.Type);
        Assert.Equal(TraceContext.Flag, (ushort)(deliver.Header.Flags & TraceContext.Flag));
        Assert.Equal(traceParent, deliver.Decode<DeliverFrame>().Trace?.ToString());
    }

    [Fact]
    public async Task A_SEND_whose_traceparent_is_malformed_is_refused_with_114_and_nothing_is_stored()
    {
        string link = $"trace-{Guid.NewGuid():N}"[..24];
        await using WireClient sender = await WireClient.ConnectWelcomedAsync(silo.TcpEndPoint);
        await sender.ExpectOkAsync(new JoinFrame(link, "sender"), 2);
        byte[] frame = RawSend("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");

        await sender.SendRawAsync(frame);

        await sender.ExpectErrorAsync(ErrorCode.OutOfRange, correlation: 10, fatal: false);
        await sender.AssertAliveAsync();
    }

    private async Task<TamTamClient> ConnectAsync(string link, string node)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri($"tamtam://{silo.TcpEndPoint}") })
            .AsTask().WaitAsync(Timeout);
        await client.JoinAsync(link, node);
        return client;
    }

    private static async Task<IncomingMessage> FirstAsync(TamTamClient receiver)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (IncomingMessage message in receiver.ReceiveAsync(timeout.Token))
        {
            return message;
        }

        throw new InvalidOperationException("the receive ended");
    }

    /// <summary>A SEND with flag TRACED whose traceparent field holds <paramref name="traceParent"/> as given (the encoder refuses a bad one).</summary>
    private static byte[] RawSend(string traceParent)
    {
        byte[] valid = Encode(new SendFrame(Guid.CreateVersion7(), default, "in", 0, false, null, null, new ReadOnlySequence<byte>([1]),
            new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")));
        byte[] replacement = System.Text.Encoding.ASCII.GetBytes(traceParent);
        int at = valid.AsSpan().IndexOf("00-4bf92f"u8);
        replacement.CopyTo(valid, at);
        return valid;
    }

    private static byte[] Encode(SendFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Encode(buffer, frame, 10);
        return buffer.WrittenSpan.ToArray();
    }
}
