using System.Buffers;
using System.Security.Cryptography;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>The SHA-256 of a committed payload, read back from the store by range through one pooled buffer.</summary>
internal static class PayloadDigest
{
    private const int ChunkSize = 1024 * 1024;

    public static async Task<byte[]> ComputeAsync(IPayloadStore store, Guid transferId, long totalSize, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long offset = 0;
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

            return hash.GetHashAndReset();
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
