namespace TamTam.Grains.Links.Internal;

/// <summary>Whether a node's inbox has room for one more message of <see cref="Size"/> bytes, within the link's quotas.</summary>
internal readonly record struct InboxRoom(int MaxMessages, long MaxBytes, int Size)
{
    public bool For(NodeState node) => node.Inbox.Count < MaxMessages && node.InboxBytes + Size <= MaxBytes;
}
