using System.Buffers;
using System.Collections;
using System.Threading.Channels;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal.Transfers;

/// <summary>
/// One parted delivery's parts between the read loop and the application's <see cref="IncomingMessage.ReceivePayloadAsync"/>.
/// The read loop checks each PART's CRC-32C (a bad one is answered 400 at once and comes again), copies it into
/// a pooled buffer and queues it; parts are acknowledged only once written to the destination, so the server's
/// window bounds what waits here.
/// </summary>
internal sealed class IncomingTransfer
{
    private readonly Channel<(int Index, byte[]? Buffer, int Length)> _parts =
        Channel.CreateUnbounded<(int Index, byte[]? Buffer, int Length)>(new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });

    private readonly FrameWriter _writer;

    private bool _lostWithConnection;

    public IncomingTransfer(Guid id, in TransferInfo info, FrameWriter writer)
    {
        Id = id;
        TotalSize = (long)info.TotalSize;
        PartSize = (int)info.PartSize;
        PartCount = (int)info.PartCount;
        Sha256 = info.Sha256.ToArray();
        _writer = writer;
    }

    public Guid Id { get; }

    /// <summary>True once the connection these parts came on has ended: the parts' next chance is a resumed session.</summary>
    public bool LostWithConnection => Volatile.Read(ref _lostWithConnection);

    public long TotalSize { get; }

    public int PartSize { get; }

    public int PartCount { get; }

    public byte[] Sha256 { get; }

    public ChannelReader<(int Index, byte[]? Buffer, int Length)> Parts => _parts.Reader;

    public int SizeOfPart(int index) => index < PartCount - 1 ? PartSize : (int)(TotalSize - (long)PartSize * (PartCount - 1));

    /// <summary>A PART for this transfer (read loop).</summary>
    public void OnPart(in PartFrame part)
    {
        int index = (int)part.Index;
        if (part.Count != (uint)PartCount || part.Payload.Length != SizeOfPart(index))
        {
            _writer.Write(new PartAckFrame(Id, part.Index, ErrorCode.BadLength), 0);
            return;
        }

        if (Crc32C.Compute(part.Payload) != part.Crc32C)
        {
            _writer.Write(new PartAckFrame(Id, part.Index, ErrorCode.BadChecksum), 0);
            return;
        }

        int length = (int)part.Payload.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        part.Payload.CopyTo(buffer);
        if (!_parts.Writer.TryWrite((index, buffer, length)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The server's PART_ACK (result 0) for a part this node acknowledged on an earlier connection: the destination
    /// already has it, and it will not come again.
    /// </summary>
    public void OnHeld(int index)
    {
        if ((uint)index < (uint)PartCount)
        {
            _parts.Writer.TryWrite((index, null, 0));
        }
    }

    public void Acknowledge(int index) => _writer.Write(new PartAckFrame(Id, (uint)index, ErrorCode.None), 0);

    /// <summary>No more parts will come (the connection ended, or the application is done with them).</summary>
    public void Complete(Exception? failure = null)
    {
        if (failure is TamTamConnectionException)
        {
            Volatile.Write(ref _lostWithConnection, true);
        }

        _parts.Writer.TryComplete(failure);
        while (_parts.Reader.TryRead(out (int Index, byte[]? Buffer, int Length) part))
        {
            if (part.Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(part.Buffer);
            }
        }
    }

    /// <summary>Marks <paramref name="index"/> in <paramref name="present"/>; true when it was not marked.</summary>
    public static bool Mark(BitArray present, int index)
    {
        if (present[index])
        {
            return false;
        }

        present[index] = true;
        return true;
    }
}
