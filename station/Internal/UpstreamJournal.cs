using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace TamTam.Station.Internal;

/// <summary>
/// The station's durable memory of the messages it sent upstream and has no final status for yet: who sent each (to hand
/// its STATUS to the right local node) or, bridging, which interchange it came from. An append-only file of one line
/// per change, fsynced in groups (one write serves every change queued meanwhile), compacted when the station starts.
/// </summary>
/// <remarks>
/// Only what the interchange cannot tell the station lives here: a STATUS names the message, not its sender. Deliveries
/// from upstream need nothing: the local link's log holds them once accepted, and the interchange keeps redelivering
/// whatever the station has not acknowledged.
/// </remarks>
internal sealed class UpstreamJournal : IAsyncDisposable
{
    private const string FileName = "upstream.journal";

    private readonly Dictionary<Guid, JournalEntry> _entries = [];
    private readonly Lock _gate = new();
    private readonly Channel<(string Line, TaskCompletionSource Done)> _queue = Channel.CreateUnbounded<(string, TaskCompletionSource)>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly FileStream _file;
    private readonly Task _writer;

    private UpstreamJournal(FileStream file, Dictionary<Guid, JournalEntry> entries)
    {
        _file = file;
        _entries = entries;
        _writer = WriteLoopAsync();
    }

    /// <summary>Reads the journal under <paramref name="directory"/>, rewrites it with the open entries only, and opens it.</summary>
    public static async Task<UpstreamJournal> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        var entries = new Dictionary<Guid, JournalEntry>();
        if (File.Exists(path))
        {
            foreach (string line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                Apply(entries, line);
            }
        }

        string compacted = path + ".new";
        var text = new StringBuilder();
        foreach (JournalEntry entry in entries.Values)
        {
            text.Append(entry.ToLine()).Append('\n');
        }

        await using (var file = new FileStream(compacted, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(compacted, path, overwrite: true);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new UpstreamJournal(stream, entries);
    }

    /// <summary>The entry of <paramref name="messageId"/>, if the station still waits for its status.</summary>
    public JournalEntry? Find(Guid messageId)
    {
        lock (_gate)
        {
            return _entries.GetValueOrDefault(messageId);
        }
    }

    /// <summary>Open entries, for operators and tests.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records <paramref name="entry"/> durably; returns once it is on disk.</summary>
    public Task RecordAsync(JournalEntry entry)
    {
        lock (_gate)
        {
            _entries[entry.MessageId] = entry;
        }

        return AppendAsync(entry.ToLine());
    }

    /// <summary>Forgets <paramref name="messageId"/> durably: its status has reached where it goes.</summary>
    public Task ForgetAsync(Guid messageId)
    {
        lock (_gate)
        {
            if (!_entries.Remove(messageId))
            {
                return Task.CompletedTask;
            }
        }

        return AppendAsync(string.Create(CultureInfo.InvariantCulture, $"D\t{messageId:N}"));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private Task AppendAsync(string line)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((line, done)) ? done.Task : Task.FromException(new ObjectDisposedException(nameof(UpstreamJournal)));
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<TaskCompletionSource>();
        var text = new StringBuilder();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            text.Clear();
            while (_queue.Reader.TryRead(out (string Line, TaskCompletionSource Done) item))
            {
                text.Append(item.Line).Append('\n');
                group.Add(item.Done);
            }

            try
            {
                await _file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString())).ConfigureAwait(false);
                _file.Flush(flushToDisk: true);
                group.ForEach(static d => d.TrySetResult());
            }
            catch (IOException e)
            {
                group.ForEach(d => d.TrySetException(e));
            }
        }
    }

    private static void Apply(Dictionary<Guid, JournalEntry> entries, string line)
    {
        string[] fields = line.Split('\t');
        if (fields.Length < 2 || !Guid.TryParseExact(fields[1], "N", out Guid id))
        {
            // A torn last line: the change it began was never confirmed to anyone.
            return;
        }

        if (fields[0] == "D")
        {
            entries.Remove(id);
        }
        else if (JournalEntry.TryParse(fields, id) is { } entry)
        {
            entries[id] = entry;
        }
    }
}

/// <summary>
/// A message the station sent upstream: from local node <see cref="Node"/> of link <see cref="Link"/>, or, when
/// <see cref="Origin"/> is not negative, bridged from upstream number <see cref="Origin"/>.
/// </summary>
internal sealed record JournalEntry(Guid MessageId, string Link, string Node, int Origin = -1)
{
    public bool Bridged => Origin >= 0;

    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"O\t{MessageId:N}\t{Link}\t{Node}\t{Origin}");

    public static JournalEntry? TryParse(string[] fields, Guid id) =>
        fields is ["O", _, var link, var node, var origin] && int.TryParse(origin, CultureInfo.InvariantCulture, out int index)
            ? new JournalEntry(id, link, node, index)
            : null;
}
