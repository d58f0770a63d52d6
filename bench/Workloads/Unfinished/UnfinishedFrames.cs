using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TamTam.Bench.Workloads.W6;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.Unfinished;

/// <summary>
/// Memory held by unfinished frames: <c>--connections</c> anonymous connections against a silo in its own process
/// each send a header announcing a 1 MiB body and all of that body but its last byte, then hold. Reports the silo's
/// resident set (VmRSS) before, while they hold, and at the given seconds after they closed, and how many the
/// server refused with 501 (TamTam:Gateway:MaxUnfinishedFrameBytes) or closed otherwise.
/// </summary>
internal static class UnfinishedFrames
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- unfinished [options]
          --connections N    connections, each leaving 1 MiB minus a byte of a frame unsent (default 600)
          --hold S           seconds they hold before closing (default 5)
          --after S[,S...]   seconds after the close at which VmRSS is read (default 1,10,30,60)
          --TamTam:KEY=V     passed to the silo process, e.g. --TamTam:Gateway:MaxUnfinishedFrameBytes=68719476736
          --server H:P --server-pid PID  a silo already running (started with a long TamTam:Gateway:FrameTimeout)
        """;

    private const int OpenConcurrency = 64;
    private const int Body = ProtocolLimits.DefaultMaxBody;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        int connections = 600;
        int hold = 5;
        int[] after = [1, 10, 30, 60];
        IPEndPoint? server = null;
        int serverPid = 0;

        // Slow openers must not meet the frame timeout while the others are still opening.
        var settings = new List<string> { "--TamTam:Gateway:FrameTimeout=00:10:00" };
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connections":
                    connections = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--hold":
                    hold = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--after":
                    after = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--server":
                    server = IPEndPoint.Parse(args[++i]);
                    break;
                case "--server-pid":
                    serverPid = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case var setting when setting.StartsWith("--TamTam:", StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
        }

        await using SiloProcess? silo = server is null ? await SiloProcess.StartAsync(settings, StartTimeout) : null;
        IPEndPoint endPoint = silo?.EndPoint ?? server!;
        int pid = silo?.Pid ?? serverPid;
        byte[] hello = IdleSession.Hello(0);
        byte[] frame = new byte[ProtocolLimits.HeaderSize + Body - 1];
        frame[0] = ProtocolLimits.Magic0;
        frame[1] = ProtocolLimits.Magic1;
        frame[2] = ProtocolLimits.Version;
        frame[3] = 0x7E;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), Body);

        // Warm the server's paths (JIT, pools) with a few, then let it settle.
        await CloseAllAsync(await OpenAsync(endPoint, hello, frame, 32));
        await Task.Delay(SettleTime);
        long before = SiloProcess.ReadKiB(pid, "VmRSS");

        List<Holder> holders = await OpenAsync(endPoint, hello, frame, connections);
        await Task.Delay(TimeSpan.FromSeconds(hold));
        long held = SiloProcess.ReadKiB(pid, "VmRSS");
        long peak = SiloProcess.ReadKiB(pid, "VmHWM");
        int refused = holders.Count(h => h.Outcome == "501");
        int closedOtherwise = holders.Count(h => h.Outcome is not null and not "501");
        string? firstOther = holders.FirstOrDefault(h => h.Outcome is not null and not "501")?.Outcome;
        await CloseAllAsync(holders);

        var afterClose = new Dictionary<string, long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (int seconds in after)
        {
            TimeSpan wait = TimeSpan.FromSeconds(seconds) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            afterClose[seconds.ToString(CultureInfo.InvariantCulture)] = SiloProcess.ReadKiB(pid, "VmRSS");
        }

        ResultLine.Print(new
        {
            Workload = "unfinished",
            Connections = connections,
            Settings = silo is null ? $"tamtam://{server}" : string.Join(' ', settings),
            Refused501 = refused,
            ClosedOtherwise = closedOtherwise,
            FirstOther = firstOther,
            RssBeforeKib = before,
            RssHeldKib = held,
            PeakRssKib = peak,
            RssAfterCloseKib = afterClose,
            Date = Workload.Today,
        });
        return 0;
    }

    private static async Task<List<Holder>> OpenAsync(IPEndPoint endPoint, byte[] hello, byte[] frame, int count)
    {
        var holders = new List<Holder>(count);
        int next = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(OpenConcurrency, count)).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                Holder holder = await Holder.OpenAsync(endPoint, hello, frame);
                lock (holders)
                {
                    holders.Add(holder);
                }
            }
        }));
        return holders;
    }

    private static async Task CloseAllAsync(List<Holder> holders)
    {
        foreach (Holder holder in holders)
        {
            await holder.DisposeAsync();
        }
    }

    /// <summary>One connection that sent all of a frame but its last byte, watching for the server's answer.</summary>
    private sealed class Holder : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly Task _watch;

        private Holder(Socket socket)
        {
            _socket = socket;
            _watch = WatchAsync();
        }

        /// <summary>Null while the server keeps the connection; else the ERROR code it closed with, or why it ended.</summary>
        public string? Outcome { get; private set; }

        public static async Task<Holder> OpenAsync(IPEndPoint endPoint, byte[] hello, byte[] frame)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint);
                await socket.SendAsync(hello, SocketFlags.None);
                byte[] welcome = new byte[ProtocolLimits.HeaderSize];
                await ReadExactlyAsync(socket, welcome);
                await ReadExactlyAsync(socket, new byte[BinaryPrimitives.ReadUInt32LittleEndian(welcome.AsSpan(8))]);
                await socket.SendAsync(frame, SocketFlags.None);
            }
            catch (SocketException)
            {
                // Refused while sending: the watch below reads why.
            }

            return new Holder(socket);
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Dispose();
            await _watch;
        }

        private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
        {
            for (int read = 0; read < buffer.Length;)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                read += n > 0 ? n : throw new IOException("the server closed the connection");
            }
        }

        private async Task WatchAsync()
        {
            try
            {
                byte[] header = new byte[ProtocolLimits.HeaderSize];
                while (true)
                {
                    await ReadExactlyAsync(_socket, header);
                    byte[] body = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8))];
                    await ReadExactlyAsync(_socket, body);
                    if (header[3] == (byte)FrameType.Error)
                    {
                        Outcome = BinaryPrimitives.ReadUInt16LittleEndian(body).ToString(CultureInfo.InvariantCulture);
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException or ObjectDisposedException)
            {
                Outcome ??= _socket.Connected ? exception.Message : null;
            }
        }
    }
}
