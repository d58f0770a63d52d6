using TamTam.Interfaces.Links;

namespace TamTam.Interfaces.Descriptors;

/// <summary>
/// A message as a grain, keyed <c>link/message-id</c> (<see cref="KeyOf"/>): the link the message was sent to and its id.
/// Activated on demand by a MESSAGE or CANCEL, never on the send path; the message's descriptor lives in its link's
/// log, and this grain asks the link (<see cref="ILinkGrain"/>), which stays the single writer of everything about it.
/// </summary>
[Alias("tamtam.IMessageDescriptorGrain")]
public interface IMessageDescriptorGrain : IGrainWithStringKey
{
    /// <summary>The message's descriptor, or 307 when the link knows no such message of the requester's (or it left the ledger).</summary>
    [Alias("describe")]
    Task<DescriptorAnswer> DescribeAsync(MessageRequester requester);

    /// <summary>
    /// Ends the message in the final state CANCELED, reported to its sender by STATUS like any final state: OK, or 307
    /// (no such message of the requester's), 308 (it is final already; the detail names its state), 203 (not the
    /// requester's to cancel), 501.
    /// </summary>
    [Alias("cancel")]
    Task<OperationResult> CancelAsync(MessageRequester requester);

    /// <summary>The grain key of message <paramref name="messageId"/> sent to <paramref name="link"/>.</summary>
    public static string KeyOf(string link, Guid messageId) => link + "/" + messageId.ToString("D");
}
