namespace TamTam.Client;

/// <summary>How far a parted transfer has come.</summary>
/// <param name="MessageId">The message.</param>
/// <param name="Parts">Parts done: acknowledged by the server (sending) or written to the destination (receiving), including parts done before a resumption.</param>
/// <param name="PartCount">Parts in all.</param>
/// <param name="Bytes">Bytes in the parts done.</param>
/// <param name="TotalBytes">The payload's size.</param>
public readonly record struct TransferProgress(Guid MessageId, int Parts, int PartCount, long Bytes, long TotalBytes)
{
    /// <summary>Done as a fraction, 0 to 1.</summary>
    public double Fraction => TotalBytes == 0 ? 1 : (double)Bytes / TotalBytes;
}
