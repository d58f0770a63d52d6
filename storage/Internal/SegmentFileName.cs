using System.Globalization;

namespace TamTam.Storage.Internal;

/// <summary>
/// Segment files are named by the LSN of their first record, zero-padded to 20 digits (every
/// positive <see cref="long"/>) so that name order is LSN order: <c>00000000000000000001.seg</c>.
/// </summary>
internal static class SegmentFileName
{
    /// <summary>The extension of segment files; other files in a log directory are ignored.</summary>
    public const string Extension = ".seg";

    private const int Digits = 20;

    /// <summary>The file name of the segment whose first record has <paramref name="firstLsn"/>.</summary>
    public static string Format(long firstLsn) =>
        firstLsn.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>Parses a segment file name (without directory); false for anything else.</summary>
    public static bool TryParse(string fileName, out long firstLsn)
    {
        firstLsn = 0;
        return fileName.Length == Digits + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, Digits), NumberStyles.None, CultureInfo.InvariantCulture, out firstLsn)
            && firstLsn >= 1;
    }
}
