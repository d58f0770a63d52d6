namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Passes a stream through, but a read at <c>pauseAt</c> waits until <see cref="Resume"/>; reads stop short of it before.</summary>
internal sealed class PausingStream(Stream inner, long pauseAt) : Stream
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read has reached the pause.</summary>
    public Task Reached => _reached.Task;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public void Resume() => _resumed.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (inner.Position >= pauseAt)
        {
            _reached.TrySetResult();
            await _resumed.Task.WaitAsync(cancellationToken);
        }
        else if (inner.Position + buffer.Length > pauseAt)
        {
            buffer = buffer[..(int)(pauseAt - inner.Position)];
        }

        return await inner.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("read asynchronously: a read past the pause waits");

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
