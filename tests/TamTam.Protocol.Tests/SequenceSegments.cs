using System.Buffers;

namespace TamTam.Protocol.Tests;

/// <summary>Builds multi-segment sequences, as a pipe hands them over, cut at chosen offsets.</summary>
internal sealed class SequenceSegments : ReadOnlySequenceSegment<byte>
{
    private SequenceSegments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Cut(byte[] data, IReadOnlyList<int> cuts)
    {
        var offsets = new List<int> { 0 };
        foreach (int cut in cuts)
        {
            if (cut > offsets[^1] && cut < data.Length)
            {
                offsets.Add(cut);
            }
        }

        offsets.Add(data.Length);
        var first = new SequenceSegments(data.AsMemory(offsets[0], offsets[1] - offsets[0]), 0);
        SequenceSegments last = first;
        for (int i = 1; i < offsets.Count - 1; i++)
        {
            var next = new SequenceSegments(data.AsMemory(offsets[i], offsets[i + 1] - offsets[i]), offsets[i]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
