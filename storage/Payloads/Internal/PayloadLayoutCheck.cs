namespace TamTam.Storage.Payloads.Internal;

/// <summary>The checks every backend makes on a layout before committing it.</summary>
internal static class PayloadLayoutCheck
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="layout"/> is one that <see cref="PayloadLayout.For"/> would give.</summary>
    public static void ThrowIfInvalid(PayloadLayout layout, string paramName)
    {
        if (layout.TotalSize < 1 || layout.PartSize < 1 || layout.PartCount < 1
            || (long)layout.PartSize * (layout.PartCount - 1) >= layout.TotalSize
            || (long)layout.PartSize * layout.PartCount < layout.TotalSize)
        {
            throw new ArgumentException(
                $"The layout {layout} is not consistent: PartCount must be ceil(TotalSize / PartSize), all three at least 1 (use PayloadLayout.For).",
                paramName);
        }
    }
}
