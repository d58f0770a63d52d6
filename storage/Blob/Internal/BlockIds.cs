using System.Globalization;
using System.Text;

namespace TamTam.Storage.Blob.Internal;

/// <summary>
/// Block ids of payload parts: the base64 of the part index as 10 ASCII digits (<c>0000000003</c> →
/// <c>MDAwMDAwMDAwMw==</c>). The service requires every block id of a blob to have the same length,
/// hence the fixed width; 10 digits hold every non-negative <see cref="int"/>.
/// </summary>
internal static class BlockIds
{
    private const int Digits = 10;

    /// <summary>The block id of part <paramref name="index"/>.</summary>
    public static string Format(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D10", CultureInfo.InvariantCulture)));

    /// <summary>Parses a block id written by <see cref="Format"/>; false for any other.</summary>
    public static bool TryParse(string blockId, out int index)
    {
        index = 0;
        Span<byte> digits = stackalloc byte[Digits + 2];
        if (!Convert.TryFromBase64String(blockId, digits, out var written) || written != Digits)
        {
            return false;
        }

        return int.TryParse(Encoding.ASCII.GetString(digits[..Digits]), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
