using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TamTam.Storage.Internal;

/// <summary>
/// CRC-32C (Castagnoli), the checksum every stored record carries. System.IO.Hashing has no CRC-32C,
/// and <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2/ARMv8 instruction where there is one.
/// </summary>
internal static class Crc32C
{
    /// <summary>Computes the standard CRC-32C of <paramref name="data"/> ("123456789" gives 0xE3069283).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
