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
        ClientConnection connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await RequestOnAsync(connection, frame, expected, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<Reply> RequestOnAsync<T>(ClientConnection connection, T frame, FrameType expected, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        ReplyWaiter waiter = connection.Requests.Register(T.Type, expected, holdsSendPermit: false, cancellationToken);
        WriteRequest(connection, frame, waiter);
        return await waiter.Task.ConfigureAwait(false);
    }

    private static void WriteRequest<T>(ClientConnection connection, in T frame, ReplyWaiter waiter)
        where T : struct, IFrame<T>
    {
        try
        {
            connection.Writer.Write(frame, waiter.Correlation);
        }
        catch (ProtocolException exception)
        {
            connection.Requests.Abandon(waiter);
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }
        catch
        {
            connection.Requests.Abandon(waiter);
            throw;
        }
    }
}
