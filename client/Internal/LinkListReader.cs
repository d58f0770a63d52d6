using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>Copies a LINKS_REPORT out of the connection's buffers.</summary>
internal static class LinkListReader
{
    public static LinkList Read(in LinksReportFrame frame)
    {
        var links = new LinkInfo[frame.Links.Count];
        for (int i = 0; i < links.Length; i++)
        {
            LinkEntry entry = frame.Links[i];
            links[i] = new LinkInfo(entry.Link.ToString(), entry.Nodes, entry.Sequence);
        }

        return new LinkList(links, frame.Truncated);
    }
}
