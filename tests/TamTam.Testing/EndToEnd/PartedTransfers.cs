using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Client;
using TamTam.Protocol;
using TamTam.Storage.Local;
using TamTam.Storage.Payloads;

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

    /// <summary>
    /// Joins again under a node name whose previous session just ended: the link may not have seen that session go
    /// yet (205 NAME_TAKEN), so it is tried again for a while.
    /// </summary>
    public static async Task<TamTamClient> JoinAgainAsync(Uri uri, string link, string node)
    {
        DateTime until = DateTime.UtcNow + TestTimeout.Default;
        while (true)
        {
            try
            {
                return await Nodes.JoinAsync(uri, link, node);
            }
            catch (TamTamException e) when (e.Code == ErrorCode.NameTaken && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Cancels <paramref name="cancellation"/> once <paramref name="parts"/> parts are done.</summary>
    public static IProgress<TransferProgress> CancelAfter(int parts, CancellationTokenSource cancellation) =>
        new InlineProgress(p =>
        {
            if (p.Parts >= parts)
            {
                cancellation.Cancel();
            }
        });

    /// <summary>The payload store's folder for <paramref name="messageId"/> under a silo's data directory.</summary>
    public static string PayloadFolder(string dataPath, Guid messageId) =>
        Path.Combine(dataPath, "payloads", messageId.ToString("N"));

    /// <summary>The parts of <paramref name="messageId"/> the local payload store under <paramref name="dataPath"/> holds, as the silo would find them.</summary>
    public static async Task<IReadOnlyList<int>> StagedPartsAsync(string dataPath, Guid messageId) =>
        await new LocalPayloadStore(new LocalStorageOptions { RootPath = dataPath }, NullLogger<LocalPayloadStore>.Instance)
            .GetStagedPartsAsync(messageId);

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

    /// <summary>Runs on the reporting thread, at once (<see cref="Progress{T}"/> would post it elsewhere, later).</summary>
    public sealed class InlineProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
