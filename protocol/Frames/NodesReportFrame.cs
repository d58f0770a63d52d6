using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One node in a NODES_REPORT.</summary>
public readonly record struct NodeEntry(Utf8Text Node, bool Online, uint RttUs, uint Pending);

/// <summary>NODES_REPORT (s→c): the nodes of a link.</summary>
public readonly record struct NodesReportFrame(IReadOnlyList<NodeEntry> Nodes, bool Truncated) : IFrame<NodesReportFrame>
{
    public const ushort TruncatedFlag = 0x0001;

    public static FrameType Type => FrameType.NodesReport;

    public static ushort DefinedFlags => TruncatedFlag;

    public static bool HasPayload => false;

    public ushort Flags => Truncated ? TruncatedFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = 2;
            foreach (NodeEntry entry in Nodes ?? [])
            {
                length += BodyWriter.SizeOfStr8(entry.Node) + 1 + 4 + 4;
            }

            return length;
        }
    }

    public static NodesReportFrame Read(ref BodyReader reader, ushort flags)
    {
        int count = reader.ReadCount("count", minEntrySize: 2 + 1 + 4 + 4);
        var nodes = new NodeEntry[count];
        for (int i = 0; i < count; i++)
        {
            nodes[i] = new NodeEntry(reader.ReadName("node"), reader.ReadBool("online"), reader.ReadU32("rtt_us"), reader.ReadU32("pending"));
        }

        return new NodesReportFrame(nodes, (flags & TruncatedFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<NodeEntry> nodes = Nodes ?? [];
        if (nodes.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a NODES_REPORT holds at most 65,535 nodes");
        }

        writer.WriteU16((ushort)nodes.Count);
        foreach (NodeEntry entry in nodes)
        {
            writer.WriteName(entry.Node, "node");
            writer.WriteBool(entry.Online);
            writer.WriteU32(entry.RttUs);
            writer.WriteU32(entry.Pending);
        }
    }
}
