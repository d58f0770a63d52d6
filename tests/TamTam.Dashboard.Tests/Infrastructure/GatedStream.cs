namespace TamTam.Dashboard.Tests.Infrastructure;

/// <summary>
/// <see cref="Length"/> zero bytes that cannot be sought, of which only the first <paramref name="openBytes"/> can be
/// read until <see cref="Open"/>: an upload that stops part-way, so that its transfer stays in flight.
/// </summary>
internal sealed class GatedStream(long length, long openBytes) : Stream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Lets the rest be read.</summary>
    public void Open() => _gate.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= openBytes)
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }

        long limit = _position < openBytes ? openBytes : length;
        int count = (int)Math.Min(buffer.Length, limit - _position);
        buffer.Span[..count].Clear();
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read it asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
