namespace TamTam.Storage.Blob.Internal;

/// <summary>A read-only, seekable stream over caller memory, so an upload sends the caller's bytes without copying them.</summary>
internal static class ReadOnlyMemoryStream
{
    /// <summary>A stream over <paramref name="data"/>; copies only when the memory is not backed by an array.</summary>
    public static Stream Create(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
