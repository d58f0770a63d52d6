using System.Collections.Concurrent;

namespace TamTam.Client.Internal.Transfers;

/// <summary>
/// The parted messages the application holds (handed over, not yet acknowledged), for the life of the session.
/// When a connection ends under a <see cref="IncomingMessage.ReceivePayloadAsync"/>, the resumed session gets
/// the DELIVER again: it is not handed over a second time, its new parts are attached to the message the
/// application already holds, and calling <see cref="IncomingMessage.ReceivePayloadAsync"/> again goes on.
/// </summary>
internal sealed class HeldPartedMessages
{
    private readonly ConcurrentDictionary<Guid, IncomingMessage> _messages = new();

    public void Hold(IncomingMessage message) => _messages[message.MessageId] = message;

    public bool TryGet(Guid messageId, out IncomingMessage message) => _messages.TryGetValue(messageId, out message!);

    /// <summary>The client has ended: a call waiting for a resumed session's parts fails with <paramref name="failure"/>.</summary>
    public void EndAll(Exception failure)
    {
        foreach (IncomingMessage message in _messages.Values)
        {
            message.EndTransfer(failure);
        }
    }

    public void Release(IncomingMessage message) =>
        _messages.TryRemove(new KeyValuePair<Guid, IncomingMessage>(message.MessageId, message));
}
