namespace TamTam.Bench.Workloads;

/// <summary>Splits a message count across links as evenly as whole numbers allow.</summary>
internal static class Shares
{
    public static int[] Split(int messages, int links)
    {
        int[] shares = new int[links];
        for (int k = 0; k < links; k++)
        {
            shares[k] = messages / links + (k < messages % links ? 1 : 0);
        }

        return shares;
    }
}
