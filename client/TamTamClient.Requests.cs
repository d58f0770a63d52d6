using TamTam.Client.Internal;
using TamTam.Protocol;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>Writes a request and waits for its reply: the one path every request-reply exchange takes.</summary>
    private async ValueTask<Reply> RequestAsync<T>(T frame, FrameType expected, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        ReplyWaiter waiter = _requests.Register(T.Type, expected, holdsSendPermit: false, cancellationToken);
        WriteRequest(frame, waiter);
        return await waiter.Task.ConfigureAwait(false);
    }

    private void WriteRequest<T>(in T frame, ReplyWaiter waiter)
        where T : struct, IFrame<T>
    {
        try
        {
            _writer.Write(frame, waiter.Correlation);
        }
        catch (ProtocolException exception)
        {
            _requests.Abandon(waiter);
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }
        catch
        {
            _requests.Abandon(waiter);
            throw;
        }
    }
}
