using System.Globalization;

namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// Local part files are named by their index, zero-padded to 10 digits (every non-negative
/// <see cref="int"/>) so that name order is index order: <c>0000000003.part</c>.
/// </summary>
internal static class PartFileName
{
    /// <summary>The extension of part files; other files in a payload directory are not parts.</summary>
    public const string Extension = ".part";

    private const int Digits = 10;

    /// <summary>The file name of part <paramref name="index"/>.</summary>
    public static string Format(int index) => index.ToString("D10", CultureInfo.InvariantCulture) + Extension;

    /// <summary>Parses a part file name (without directory); false for anything else.</summary>
    public static bool TryParse(string fileName, out int index)
    {
        index = 0;
        return fileName.Length == Digits + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && int.TryParse(fileName.AsSpan(0, Digits), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
