using System.IO.Pipelines;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// A duplex pipe the embedder supplied (<see cref="TamTamClientOptions.TransportFactory"/>), e.g. the client's
/// end of an in-memory connection to a gateway in the same process.
/// </summary>
/// <remarks>
/// A <see cref="PipeWriter"/> takes one producer at a time, and <see cref="Abort"/> comes from another thread
/// than the writer loop: a write in progress is cancelled and completes the output itself when it returns.
/// </remarks>
internal sealed class DuplexPipeTransport : IClientTransport
{
    private readonly IDuplexPipe _pipe;
    private readonly Lock _gate = new();
    private bool _writing;
    private bool _outputClosed;
    private bool _outputCompleted;

    public DuplexPipeTransport(IDuplexPipe pipe)
    {
        _pipe = pipe;
    }

    public PipeReader Input => _pipe.Input;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outputClosed)
            {
                throw new IOException("the transport is closed");
            }

            _writing = true;
        }

        try
        {
            FlushResult result = await _pipe.Output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("the transport was aborted");
            }

            if (result.IsCompleted)
            {
                throw new IOException("the server closed the connection");
            }
        }
        finally
        {
            bool complete;
            lock (_gate)
            {
                _writing = false;
                complete = _outputClosed && !_outputCompleted;
                _outputCompleted |= complete;
            }

            if (complete)
            {
                await _pipe.Output.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    public void CompleteOutput() => CloseOutput(abort: false);

    public void Abort()
    {
        CloseOutput(abort: true);
        _pipe.Input.CancelPendingRead();
    }

    public async ValueTask DisposeAsync()
    {
        CloseOutput(abort: true);
        await _pipe.Input.CompleteAsync().ConfigureAwait(false);
    }

    private void CloseOutput(bool abort)
    {
        bool complete;
        lock (_gate)
        {
            _outputClosed = true;
            complete = !_writing && !_outputCompleted;
            _outputCompleted |= complete;
            if (_writing && abort)
            {
                // The write in progress returns cancelled and completes the output on its way out.
                _pipe.Output.CancelPendingFlush();
            }
        }

        if (complete)
        {
            _pipe.Output.Complete();
        }
    }
}
