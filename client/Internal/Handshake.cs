using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using TamTam.Client.Internal.Transports;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>HELLO/WELCOME (docs/protocol.md section 6.1), before the connection's loops start.</summary>
internal static class Handshake
{
    /// <summary>The correlation HELLO carries; requests count on from it.</summary>
    public const uint HelloCorrelation = 1;

    private const ushort SpokenVersion = 1;

    /// <param name="transport">The new connection.</param>
    /// <param name="options">The client's options.</param>
    /// <param name="resumeToken">
    /// A previous WELCOME's token, to resume that session; empty for a new session. A token the server no longer
    /// knows (204, not fatal) is followed by a HELLO without it on the same connection: the terms then say not resumed.
    /// </param>
    /// <param name="cancellationToken">Abandons the handshake.</param>
    public static async ValueTask<SessionTerms> RunAsync(IClientTransport transport, TamTamClientOptions options, ReadOnlyMemory<byte> resumeToken,
        CancellationToken cancellationToken)
    {
        try
        {
            return await HelloAsync(transport, options, resumeToken, cancellationToken).ConfigureAwait(false);
        }
        catch (TamTamConnectionException exception) when (exception.Code == ErrorCode.SessionExpired && !resumeToken.IsEmpty)
        {
            return await HelloAsync(transport, options, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="RunAsync(IClientTransport, TamTamClientOptions, ReadOnlyMemory{byte}, CancellationToken)"/>
    public static ValueTask<SessionTerms> RunAsync(IClientTransport transport, TamTamClientOptions options, CancellationToken cancellationToken) =>
        RunAsync(transport, options, ReadOnlyMemory<byte>.Empty, cancellationToken);

    private static async ValueTask<SessionTerms> HelloAsync(IClientTransport transport, TamTamClientOptions options, ReadOnlyMemory<byte> resumeToken,
        CancellationToken cancellationToken)
    {
        byte[] authToken = options.AuthToken is null ? [] : Encoding.UTF8.GetBytes(options.AuthToken);

        // max_body 0 leaves the limit to the server: the client accepts what WELCOME announces.
        var hello = new HelloFrame(SpokenVersion, SpokenVersion, 0, 0, Utf8Text.From(options.ClientName), authToken, resumeToken);
        await transport.SendAsync(FrameCodec.ToArray(hello, HelloCorrelation), cancellationToken).ConfigureAwait(false);

        PipeReader input = transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool complete = false;
            try
            {
                if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.HandshakeMaxBody, out Frame frame))
                {
                    complete = true;
                    return Interpret(frame);
                }

                if (result.IsCompleted)
                {
                    FrameReader.EnsureNothingPending(buffer);
                    throw new TamTamConnectionException(ErrorCode.None, "the server closed the connection during the handshake");
                }
            }
            catch (ProtocolException exception)
            {
                throw new TamTamConnectionException(exception.Code, $"handshake failed: {exception.Detail}", exception);
            }
            finally
            {
                // Frames the server sent right after WELCOME stay in the pipe, unexamined, for the read loop.
                if (complete)
                {
                    input.AdvanceTo(buffer.Start);
                }
                else
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
    }

    private static SessionTerms Interpret(in Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Welcome:
                WelcomeFrame welcome = frame.Decode<WelcomeFrame>();
                if (welcome.Version != SpokenVersion)
                {
                    throw new TamTamConnectionException(ErrorCode.NoCommonVersion,
                        $"the server chose version {welcome.Version}; this client speaks {SpokenVersion}");
                }

                return new SessionTerms(welcome.Version, (int)welcome.MaxBody, welcome.MaxInflight,
                    TimeSpan.FromMilliseconds(welcome.HeartbeatMs), TimeSpan.FromMilliseconds(welcome.SessionTimeoutMs),
                    welcome.PartSize, welcome.SessionId, welcome.ResumeToken.ToArray(), welcome.Server.ToString(), welcome.Resumed);
            case FrameType.Error:
                ErrorFrame error = frame.Decode<ErrorFrame>();
                throw new TamTamConnectionException(error.Code, error.Message.ToString());
            default:
                throw new TamTamConnectionException(ErrorCode.UnexpectedFrame,
                    $"the server answered HELLO with {frame.Type.WireName()} instead of WELCOME");
        }
    }
}
