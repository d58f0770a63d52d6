using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TamTam.Protocol;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial <c>0x82F63B78</c>, init and final XOR <c>0xFFFFFFFF</c>), the
/// checksum of a PART's payload (docs/protocol.md section 5.15). <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the SSE4.2 or ARMv8 instruction where there is one.
/// </summary>
public static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/> ("123456789" gives <c>0xE3069283</c>).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>The CRC-32C of every segment of <paramref name="data"/> in order.</summary>
    public static uint Compute(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Compute(data.FirstSpan);
        }

        uint crc = uint.MaxValue;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            crc = Append(crc, segment.Span);
        }

        return ~crc;
    }

    // Called once per buffer over megabytes: left to tiering, it ran unoptimized for seconds of a large transfer
    // (measured with perf on W5: most CRC samples in its Tier0 and instrumented code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
