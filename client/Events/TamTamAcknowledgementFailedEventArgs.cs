namespace TamTam.Client.Events;

/// <summary>
/// The server could not take an ACK or NACK of a delivered message (most often 501: its storage could not make it
/// durable). The message stays pending on the server and is delivered again; the client answers that redelivery as
/// the application answered, without handing it out again, so the application has nothing to redo.
/// </summary>
public sealed class TamTamAcknowledgementFailedEventArgs(Guid messageId, bool nack, TamTamException error) : EventArgs
{
    /// <summary>The message whose acknowledgement was refused.</summary>
    public Guid MessageId { get; } = messageId;

    /// <summary>True for a NACK, false for an ACK.</summary>
    public bool Nack { get; } = nack;

    /// <summary>The server's refusal, with its code (501 UNAVAILABLE, 304 UNKNOWN_DELIVERY, 206 NOT_JOINED).</summary>
    public TamTamException Error { get; } = error;
}
