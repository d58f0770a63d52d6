using System.Buffers;
using System.Security.Cryptography;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>Reads a committed payload back from the store by range, through one pooled buffer.</summary>
internal static class PayloadDigest
{
    private const int ChunkSize = 1024 * 1024;

    /// <summary>Appends bytes <paramref name="from"/> … <paramref name="totalSize"/> − 1 of the payload to <paramref name="hash"/>.</summary>
    public static async Task AppendAsync(IncrementalHash hash, IPayloadStore store, Guid transferId, long from, long totalSize,
        CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long offset = from;
            while (offset < totalSize)
            {
                int wanted = (int)Math.Min(ChunkSize, totalSize - offset);
                int read = await store.ReadAsync(transferId, offset, buffer.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes from <paramref name="offset"/>; false when the payload ends first.</summary>
    public static async ValueTask<bool> ReadExactlyAsync(IPayloadStore store, Guid transferId, long offset, Memory<byte> destination,
        CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int read = await store.ReadAsync(transferId, offset + filled, destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
