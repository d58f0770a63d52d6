namespace TamTam.Client;

// Request/reply (docs/protocol.md section 5.10.1): what a message sent with REPLY carries.
public sealed partial class IncomingMessage
{
    /// <summary>
    /// For a request or a reply, the request's correlation id; <see langword="null"/> for a message sent without
    /// REPLY.
    /// </summary>
    public Guid? CorrelationId { get; internal init; }

    /// <summary>For a request, the link its reply goes to (<see cref="TamTamClient.ReplyAsync"/> sends it there).</summary>
    public string? ReplyLink { get; internal init; }

    /// <summary>For a request, the port its reply goes to; <see langword="null"/> for anything else.</summary>
    public string? ReplyPort { get; internal init; }

    /// <summary>True when the sender waits for a reply: answer with <see cref="TamTamClient.ReplyAsync"/>, then acknowledge.</summary>
    public bool IsRequest => ReplyPort is not null;

    /// <summary>True when this message answers a request (<see cref="CorrelationId"/> names it).</summary>
    public bool IsReply => CorrelationId is not null && ReplyPort is null;

    /// <summary>Acknowledges a reply the client takes for its request: the application never settles it.</summary>
    internal void AcknowledgeReceipt() => Settle();
}
