using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Interchange.Tests.Infrastructure;

/// <summary>
/// An interchange as a station sees it, on a loopback socket, speaking docs/protocol.md section 5.18 from the server's
/// side: it answers HELLO and STATION_REGISTER by itself and lets the test send offers, deliveries and statuses, and
/// read what the station sends. Stands in for the cloud silo where the test pins the station's side of the contract.
/// </summary>
internal sealed class StandInInterchange : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<ReceivedFrame> _received = Channel.CreateUnbounded<ReceivedFrame>();
    private readonly Channel<string[]> _registrations = Channel.CreateUnbounded<string[]>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private Socket? _current;
    private Stream? _stream;
    private readonly SemaphoreSlim _write = new(1, 1);

    public StandInInterchange()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Uri => new($"tamtam://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The links of the next STATION_REGISTER (answered OK).</summary>
    public Task<string[]> NextRegistrationAsync() => _registrations.Reader.ReadAsync().AsTask().Bounded();

    /// <summary>The next frame the station sent of type <typeparamref name="T"/>, skipping others of no interest (PONG).</summary>
    public async Task<(T Frame, uint Correlation)> ExpectAsync<T>()
        where T : struct, IFrame<T>
    {
        while (true)
        {
            ReceivedFrame next = await _received.Reader.ReadAsync().AsTask().Bounded();
            if (next.Type == T.Type)
            {
                var sequence = new ReadOnlySequence<byte>(next.Bytes);
                FrameReader.TryReadFrame(ref sequence, ProtocolLimits.MaxBodyCeiling, out Frame frame);
                return (frame.Decode<T>(), frame.Correlation);
            }
        }
    }

    /// <summary>True when the station sent nothing of type <typeparamref name="T"/> meanwhile (what it sent is read and dropped).</summary>
    public bool NothingOf<T>()
        where T : struct, IFrame<T>
    {
        while (_received.Reader.TryRead(out ReceivedFrame? next))
        {
            if (next.Type == T.Type)
            {
                return false;
            }
        }

        return true;
    }

    public async Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T>
    {
        byte[] bytes = FrameCodec.ToArray(frame, correlation);
        await _write.WaitAsync();
        try
        {
            await _stream!.WriteAsync(bytes);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Ends the station's connection, as a restart of the interchange would.</summary>
    public void Drop() => _current?.Close();

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        _current?.Close();
        await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
        _write.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
            _current = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                await ServeAsync(PipeReader.Create(_stream));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The station or the test ended the connection; the next one is accepted.
            }
        }
    }

    private async Task ServeAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(_stop.Token);
            ReadOnlySequence<byte> buffer = read.Buffer;
            var replies = new List<Func<Task>>();
            while (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                uint correlation = frame.Correlation;
                switch (frame.Type)
                {
                    case FrameType.Hello:
                        replies.Add(() => SendAsync(new WelcomeFrame(1, 1_048_576, 0, 15_000, 30_000, 65_536, Guid.NewGuid(), new byte[] { 1, 2, 3 }, "stand-in", false), correlation));
                        break;
                    case FrameType.StationRegister:
                        StationRegisterFrame register = frame.Decode<StationRegisterFrame>();
                        string[] links = [.. register.Links.Select(l => l.ToString())];
                        replies.Add(async () =>
                        {
                            await SendAsync(default(OkFrame), correlation);
                            _registrations.Writer.TryWrite(links);
                        });
                        break;
                    default:
                        byte[] bytes = new byte[ProtocolLimits.HeaderSize + frame.Body.Length];
                        frame.Header.Write(bytes);
                        frame.Body.CopyTo(bytes.AsSpan(ProtocolLimits.HeaderSize));
                        _received.Writer.TryWrite(new ReceivedFrame(frame.Type, bytes));
                        break;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            foreach (Func<Task> reply in replies)
            {
                await reply();
            }

            if (read.IsCompleted)
            {
                throw new IOException("the station closed its connection");
            }
        }
    }

    private sealed record ReceivedFrame(FrameType Type, byte[] Bytes);
}
