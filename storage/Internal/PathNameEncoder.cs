using System.Security.Cryptography;
using System.Text;

namespace TamTam.Storage.Internal;

/// <summary>
/// Maps any string (log name, state name, grain id) to one safe path component: the UTF-8 bytes,
/// with every byte outside <c>[A-Za-z0-9._-]</c> percent-encoded (<c>%2F</c>), and a leading dot
/// encoded too so that <c>.</c>, <c>..</c> and hidden names cannot occur.
/// </summary>
/// <remarks>
/// Encoding is injective, and reversible by <see cref="TryDecode"/>, for every name whose encoded form
/// fits in <see cref="MaxEncodedLength"/> characters. Longer names (file systems allow 255 bytes per
/// component) keep a readable prefix followed by <c>~</c> and the SHA-256 of the whole name: still
/// injective in practice, no longer reversible. Encoded names never start with <c>~</c>, which leaves
/// that prefix free for temporary files. Names that differ only in letter case collide on
/// case-insensitive file systems; the supported hosts (Linux, containers) are case-sensitive.
/// </remarks>
internal static class PathNameEncoder
{
    /// <summary>The longest encoded form; leaves room under the 255-byte limit for a temporary suffix.</summary>
    public const int MaxEncodedLength = 200;

    private const char HashSeparator = '~';
    private const int HashHexLength = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes <paramref name="name"/>; throws <see cref="ArgumentException"/> if it is empty or not valid UTF-16.</summary>
    public static string Encode(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);

        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(name);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The name contains an unpaired surrogate and has no UTF-8 form.", nameof(name), ex);
        }

        var builder = new StringBuilder(utf8.Length);
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (IsPlain(b) && !(i == 0 && b == (byte)'.'))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.Length <= MaxEncodedLength ? builder.ToString() : Shorten(builder, utf8);
    }

    /// <summary>Decodes an encoded name; false for hashed long names and for anything malformed.</summary>
    public static bool TryDecode(string encoded, out string name)
    {
        name = string.Empty;
        if (string.IsNullOrEmpty(encoded))
        {
            return false;
        }

        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length)
                {
                    return false;
                }

                var high = HexValue(encoded[i + 1]);
                var low = HexValue(encoded[i + 2]);
                if (high < 0 || low < 0)
                {
                    return false;
                }

                bytes.Add((byte)((high << 4) | low));
                i += 2;
            }
            else if (c < 128 && IsPlain((byte)c))
            {
                bytes.Add((byte)c);
            }
            else
            {
                return false;
            }
        }

        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        // Only the canonical form decodes ("%41" is not another spelling of "A"), so that listing a
        // directory can never yield two files for one name.
        if (!string.Equals(Encode(decoded), encoded, StringComparison.Ordinal))
        {
            return false;
        }

        name = decoded;
        return true;
    }

    private static string Shorten(StringBuilder encoded, byte[] utf8)
    {
        var prefixLength = MaxEncodedLength - 1 - HashHexLength;

        // Never cut through a %XX escape: the prefix is for people reading directory listings.
        if (encoded[prefixLength - 1] == '%')
        {
            prefixLength -= 1;
        }
        else if (encoded[prefixLength - 2] == '%')
        {
            prefixLength -= 2;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(utf8));
        return string.Concat(encoded.ToString(0, prefixLength), HashSeparator.ToString(), hash);
    }

    private static bool IsPlain(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'.' or (byte)'_' or (byte)'-';

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
