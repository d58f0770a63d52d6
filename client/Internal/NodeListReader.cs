using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>Copies a NODES_REPORT out of the connection's buffers.</summary>
internal static class NodeListReader
{
    public static NodeList Read(in NodesReportFrame frame)
    {
        var nodes = new NodeInfo[frame.Nodes.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            NodeEntry entry = frame.Nodes[i];

            // rtt_us 0 means the server has not measured it (section 5.17).
            TimeSpan? roundTrip = entry.RttUs == 0 ? null : TimeSpan.FromMicroseconds(entry.RttUs);
            nodes[i] = new NodeInfo(entry.Node.ToString(), entry.Online, roundTrip, entry.Pending);
        }

        return new NodeList(nodes, frame.Truncated);
    }
}
