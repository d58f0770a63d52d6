namespace TamTam.Grains.Transfers.Internal;

/// <summary>Which parts of a transfer are marked, one bit each, in a byte array that serializes as it is.</summary>
internal static class PartBitmap
{
    public static byte[] For(int count) => new byte[(count + 7) / 8];

    /// <summary>Marks <paramref name="index"/>; true when it was not marked before.</summary>
    public static bool Mark(byte[] bits, int index)
    {
        if ((uint)index >= (uint)bits.Length * 8)
        {
            return false;
        }

        byte mask = (byte)(1 << (index & 7));
        if ((bits[index >> 3] & mask) != 0)
        {
            return false;
        }

        bits[index >> 3] |= mask;
        return true;
    }

    public static int[] Marked(byte[] bits, int count)
    {
        var marked = new List<int>();
        for (int i = 0; i < count; i++)
        {
            if ((bits[i >> 3] & (1 << (i & 7))) != 0)
            {
                marked.Add(i);
            }
        }

        return [.. marked];
    }
}
