namespace TamTam.Gateway.Sessions.Internal;

/// <summary>One session's frame and error counts, written by its reader, writer and keep-alive alike.</summary>
internal sealed class SessionCounters
{
    private long _framesIn;
    private long _framesOut;
    private long _errors;

    public long FramesIn => Volatile.Read(ref _framesIn);

    public long FramesOut => Volatile.Read(ref _framesOut);

    public long Errors => Volatile.Read(ref _errors);

    public void FrameIn() => Interlocked.Increment(ref _framesIn);

    public void FrameOut(int count = 1) => Interlocked.Add(ref _framesOut, count);

    public void ErrorSent() => Interlocked.Increment(ref _errors);
}
