using System.Text.Unicode;

namespace TamTam.Protocol.Internal;

/// <summary>The grammar of names and ports (docs/protocol.md, section 2.1).</summary>
internal static class NameRules
{
    private const byte FirstVisible = 0x21;
    private const byte LastVisible = 0x7E;

    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    /// <summary>
    /// One pass for the common case: a name of visible ASCII. True means valid UTF-8 and a valid name; false
    /// means "not decided here" — the caller takes the full path, which reports the right error.
    /// </summary>
    public static bool IsAsciiName(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is < 1 or > ProtocolLimits.MaxNameBytes)
        {
            return false;
        }

        foreach (byte b in bytes)
        {
            if ((uint)(b - FirstVisible) > LastVisible - FirstVisible || b == (byte)':' || b == (byte)'/')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The port counterpart of <see cref="IsAsciiName"/>.</summary>
    public static bool IsAsciiPort(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is < 1 or > ProtocolLimits.MaxPortBytes)
        {
            return false;
        }

        int segment = 0;
        foreach (byte b in bytes)
        {
            if (b == (byte)'/')
            {
                if (segment == 0)
                {
                    return false;
                }

                segment = 0;
            }
            else if ((uint)(b - FirstVisible) > LastVisible - FirstVisible || b == (byte)':' || ++segment > ProtocolLimits.MaxNameBytes)
            {
                return false;
            }
        }

        return segment != 0;
    }

    /// <summary>True when every byte is visible ASCII (0x21–0x7E): then the bytes are valid UTF-8 too.</summary>
    public static bool IsVisibleAscii(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExceptInRange(FirstVisible, LastVisible) < 0;

    /// <summary>1–64 bytes, no control, space, DEL, ':' or '/'. UTF-8 validity is checked separately.</summary>
    public static bool IsName(ReadOnlySpan<byte> bytes) =>
        bytes.Length is >= 1 and <= ProtocolLimits.MaxNameBytes && HasOnlyNameBytes(bytes);

    /// <summary>1–255 bytes of '/'-separated names.</summary>
    public static bool IsPort(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is < 1 or > ProtocolLimits.MaxPortBytes)
        {
            return false;
        }

        while (true)
        {
            int slash = bytes.IndexOf((byte)'/');
            ReadOnlySpan<byte> segment = slash < 0 ? bytes : bytes[..slash];
            if (!IsName(segment))
            {
                return false;
            }

            if (slash < 0)
            {
                return true;
            }

            bytes = bytes[(slash + 1)..];
        }
    }

    // Bytes of multi-byte UTF-8 sequences are all >= 0x80, so a byte test cannot split a code point.
    // Both searches are vectorised; names are short, so this beats a byte loop even for 5 bytes.
    private static bool HasOnlyNameBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOfAny((byte)':', (byte)'/', (byte)0x7F) >= 0)
        {
            return false;
        }

        return bytes.IndexOfAnyInRange((byte)0x00, (byte)0x20) < 0;
    }
}
