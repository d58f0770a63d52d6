using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers.Internal;

/// <summary>Which <see cref="ITransferRegistryGrain"/> lists a transfer.</summary>
internal static class RegistryPartition
{
    /// <summary>The number of registry partitions; their keys are 0 … Count − 1.</summary>
    public const int Count = ITransferRegistryGrain.PartitionCount;

    /// <summary>The partition of <paramref name="transferId"/>: its last byte (random in the version 7 ids clients make), modulo <see cref="Count"/>.</summary>
    public static long Of(Guid transferId)
    {
        Span<byte> bytes = stackalloc byte[16];
        transferId.TryWriteBytes(bytes);
        return bytes[15] % Count;
    }

    public static ITransferRegistryGrain For(IGrainFactory grains, Guid transferId) => grains.GetGrain<ITransferRegistryGrain>(Of(transferId));
}
