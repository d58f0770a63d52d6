using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Grains.Links.Internal;
using TamTam.Protocol;
using TamTam.Storage;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Descriptors;

/// <summary>
/// The audit export of a link with a million final messages, through the SDK, in bounded memory: the link reads its
/// archive a page at a time and the client writes a page at a time. Slow for the fast suites (about a minute), so it
/// carries the trait <c>Category=Scale</c>; CI runs it with the rest of the end-to-end suite.
/// </summary>
[Trait("Category", "Scale")]
public sealed class AuditExportScaleTests(ITestOutputHelper output)
{
    private const int Messages = 1_000_000;

    // Held whole, a million entries would take some hundreds of MB (about 250 bytes each as objects); streamed, the live
    // heap stays a few pages. The bound is generous for a noisy machine and still far below the whole trail.
    private const long LiveHeapBound = 64L * 1024 * 1024;

    [Fact]
    public async Task The_audit_export_of_a_million_messages_streams_in_bounded_memory()
    {
        using var data = new DataDirectory();
        string link = Links.Unique("audit-million");
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        await WriteArchiveAsync(silo.Host.Services.GetRequiredService<ISegmentLogStore>(), link);

        await using TamTamClient client = await Nodes.ConnectAsync(silo.Uri);
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var meter = new LineMeter(sampleEvery: 100_000);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lines = await client.ExportAuditAsync(link, meter).Within(TimeSpan.FromMinutes(5));

        Assert.Equal(Messages, lines);
        Assert.Equal(Messages, meter.Lines);
        long growth = meter.PeakLiveBytes - baseline;
        output.WriteLine($"exported {lines} lines in {clock.Elapsed.TotalSeconds:F1} s; live heap {baseline / (1024 * 1024)} MiB before, peak {meter.PeakLiveBytes / (1024 * 1024)} MiB during");
        Assert.True(growth < LiveHeapBound, $"the live heap grew by {growth / (1024 * 1024)} MiB during the export (bound {LiveHeapBound / (1024 * 1024)} MiB)");
    }

    /// <summary>A million ledger entries in the link's audit log, as its compactions would have archived them.</summary>
    private static async Task WriteArchiveAsync(ISegmentLogStore logs, string link)
    {
        const int Batch = 10_000;
        long now = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        await using ISegmentLog log = await logs.OpenAsync("audit/" + link);
        var buffer = new ArrayBufferWriter<byte>(256);
        for (int first = 0; first < Messages; first += Batch)
        {
            var records = new List<ReadOnlyMemory<byte>>(Batch);
            for (int i = first; i < first + Batch; i++)
            {
                var entry = new LedgerEntry((ulong)i + 1, Guid.CreateVersion7(), i + 1, now - 1000, 0, link, "sender", "orders/eu/new",
                    FinalState.Delivered, 1, now, "confirmed", ["receiver"], [RecipientOutcome.Acknowledged], [1]);
                buffer.ResetWrittenCount();
                LedgerEntryCodec.Encode(entry, buffer);
                records.Add(buffer.WrittenSpan.ToArray());
            }

            await log.AppendAsync(records);
        }
    }

    /// <summary>Counts the export's lines and, every so many, the live heap (after a full collection).</summary>
    private sealed class LineMeter(int sampleEvery) : Stream
    {
        private long _nextSample = sampleEvery;

        public long Lines { get; private set; }

        public long PeakLiveBytes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Lines += buffer.Count((byte)'\n');
            if (Lines >= _nextSample)
            {
                _nextSample += sampleEvery;
                PeakLiveBytes = Math.Max(PeakLiveBytes, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
