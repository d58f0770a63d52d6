using TamTam.Client;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Helpers for parted transfers: receive one large message into a sink, and look at the store's folder.</summary>
internal static class PartedTransfers
{
    /// <summary>Receives the next message on <paramref name="client"/>, writes its payload into <paramref name="destination"/> and ACKs it.</summary>
    public static async Task<IncomingMessage> ReceiveOneAsync(TamTamClient client, Stream destination, CancellationToken cancellationToken = default)
    {
        await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
        {
            await message.ReceivePayloadAsync(destination, cancellationToken: cancellationToken);
            await message.AckAsync(cancellationToken);
            return message;
        }

        throw new InvalidOperationException("the receiver's connection ended before a message arrived");
    }

    /// <summary>The payload store's folder for <paramref name="messageId"/> under a silo's data directory.</summary>
    public static string PayloadFolder(string dataPath, Guid messageId) =>
        Path.Combine(dataPath, "payloads", messageId.ToString("N"));

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 50 ms.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        DateTime until = DateTime.UtcNow + (timeout ?? TestTimeout.Default);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting until {what}");
            }

            await Task.Delay(50);
        }
    }
}
