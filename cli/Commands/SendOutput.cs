using TamTam.Cli.Output;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>How <c>send</c>, <c>broadcast</c> and <c>put</c> print a receipt and a final state, as text or JSON.</summary>
internal static class SendOutput
{
    /// <summary><c>accepted &lt;id&gt; sequence &lt;n&gt;[ duplicate]</c>, or <c>{"event":"accepted","id","sequence","duplicate"}</c>.</summary>
    public static Task ReceiptAsync(CliOutput output, SendReceipt receipt) => output.WriteAsync(
        () => $"accepted {receipt.MessageId} sequence {receipt.Sequence}{(receipt.Duplicate ? " duplicate" : string.Empty)}",
        json =>
        {
            json.WriteString("event", "accepted");
            json.WriteString("id", receipt.MessageId);
            json.WriteNumber("sequence", receipt.Sequence);
            json.WriteBoolean("duplicate", receipt.Duplicate);
        });

    /// <summary>
    /// <c>&lt;STATE&gt; &lt;id&gt; confirmed &lt;c&gt;/&lt;r&gt;[: detail]</c>, or
    /// <c>{"event":"status","id","state","confirmed","recipients","detail"}</c>; the exit code it means.
    /// </summary>
    public static async Task<int> StatusAsync(CliOutput output, MessageStatus status)
    {
        await output.WriteAsync(
            () => $"{status.State.WireName()} {status.MessageId} confirmed {status.Confirmed}/{status.Recipients}{(status.Detail.Length > 0 ? $": {status.Detail}" : string.Empty)}",
            json =>
            {
                json.WriteString("event", "status");
                json.WriteString("id", status.MessageId);
                json.WriteString("state", status.State.WireName());
                json.WriteNumber("confirmed", status.Confirmed);
                json.WriteNumber("recipients", status.Recipients);
                json.WriteString("detail", status.Detail);
            });
        return status.IsDelivered ? ExitCodes.Success : ExitCodes.NotDelivered;
    }
}
