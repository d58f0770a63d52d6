using System.Text;
using TamTam.Client;

Uri uri = new(Environment.GetEnvironmentVariable("TAMTAM_URI") ?? "tamtam://127.0.0.1:7420");
await using TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = uri });
await client.JoinAsync("billing", "worker-1");
await client.BindAsync("invoices");

SendReceipt receipt = await client.SendAsync("invoices", Encoding.UTF8.GetBytes("hello, billing"));
Console.WriteLine($"accepted {receipt.MessageId} as #{receipt.Sequence}");

await foreach (IncomingMessage message in client.ReceiveAsync())
{
    Console.WriteLine(Encoding.UTF8.GetString(message.Payload.Span));   // hello, billing
    await message.AckAsync();                                           // or NackAsync(requeue: true)
    break;
}

MessageStatus status = await receipt.Completion;
Console.WriteLine(status.State);                                        // Delivered
