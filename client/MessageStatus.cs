using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>The final state an accepted message ended in, as the server reported it in STATUS.</summary>
/// <param name="MessageId">The message's id.</param>
/// <param name="State">The final state: <see cref="FinalState.Delivered"/> when every recipient acknowledged it.</param>
/// <param name="Recipients">How many deliveries the message had.</param>
/// <param name="Confirmed">How many of them were acknowledged.</param>
/// <param name="At">When the state was reached (server clock).</param>
/// <param name="Detail">The server's human-readable detail; may be empty.</param>
public sealed record MessageStatus(Guid MessageId, FinalState State, uint Recipients, uint Confirmed, DateTimeOffset At, string Detail)
{
    /// <summary>True when every recipient acknowledged the message.</summary>
    public bool IsDelivered => State == FinalState.Delivered;
}
