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
    /// <summary>The running value before any byte (<see cref="Append"/>, then <see cref="Finish"/>).</summary>
    public const uint Initial = uint.MaxValue;

    /// <summary>Computes the standard CRC-32C of <paramref name="data"/> ("123456789" gives 0xE3069283).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    /// <summary>Continues a running CRC-32C over <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>The CRC-32C of the bytes appended to a running value.</summary>
    public static uint Finish(uint crc) => ~crc;
}
