using Microsoft.Win32.SafeHandles;
using TamTam.Storage.Internal;

namespace TamTam.Storage.Local.Internal;

/// <summary>Reads framed records from one local segment file.</summary>
internal sealed class SegmentFileReader : SegmentRecordReader
{
    private readonly SafeFileHandle _file;

    /// <summary>Reads <paramref name="file"/> from offset 0 up to <paramref name="length"/> bytes.</summary>
    public SegmentFileReader(SafeFileHandle file, long length, int bufferBytes, bool lendBuffer)
        : base(length, bufferBytes, lendBuffer)
    {
        _file = file;
    }

    protected override ValueTask<int> ReadSourceAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(_file, destination, offset, cancellationToken);
}
