using System.Collections.Concurrent;
using System.Globalization;
using TamTam.Storage.Local.Internal;

namespace TamTam.Storage.Payloads;

/// <summary>
/// The local-directory <see cref="IPayloadStore"/>: one directory per payload under
/// <c>&lt;root&gt;/payloads/&lt;transfer id&gt;</c>, one file per part (<c>part-00000042</c>), and a
/// <c>manifest</c> written on commit. Every file is written to a temporary name, fsynced, renamed into place and
/// its directory fsynced, so a part is either wholly there after a crash or absent.
/// </summary>
/// <remarks>
/// Reads by range open the part files the range covers; nothing holds a payload in memory. A manifest's layout
/// is cached once read (payloads are immutable once committed).
/// </remarks>
public sealed class LocalPayloadStore : IPayloadStore
{
    private const string ManifestName = "manifest";
    private const string PartPrefix = "part-";
    private const string TemporarySuffix = ".tmp";

    private readonly string _root;
    private readonly ConcurrentDictionary<Guid, PayloadLayout> _committed = new();

    /// <param name="rootPath">The storage root; payloads go under its <c>payloads</c> folder.</param>
    public LocalPayloadStore(string rootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        _root = Path.Combine(Path.GetFullPath(rootPath), "payloads");
    }

    /// <summary>The folder holding every payload.</summary>
    public string Root => _root;

    public async ValueTask StagePartAsync(Guid transferId, int index, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        string directory = DirectoryOf(transferId);
        if (!Directory.Exists(directory))
        {
            DirectorySync.CreateDurably(directory);
        }

        await WriteDurablyAsync(directory, PartName(index), data, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<int>> GetStagedPartsAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        string directory = DirectoryOf(transferId);
        var parts = new List<int>();
        if (Directory.Exists(directory))
        {
            foreach (string path in Directory.EnumerateFiles(directory, PartPrefix + "*"))
            {
                string name = Path.GetFileName(path);
                if (!name.EndsWith(TemporarySuffix, StringComparison.Ordinal)
                    && int.TryParse(name.AsSpan(PartPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    parts.Add(index);
                }
            }
        }

        parts.Sort();
        return ValueTask.FromResult<IReadOnlyList<int>>(parts);
    }

    public async ValueTask CommitAsync(Guid transferId, PayloadLayout layout, CancellationToken cancellationToken = default)
    {
        string directory = DirectoryOf(transferId);
        if (TryReadManifest(transferId, out PayloadLayout existing))
        {
            if (existing != layout)
            {
                throw new PayloadIncompleteException(transferId, $"it is committed as {existing}, not {layout}");
            }

            return;
        }

        for (int i = 0; i < layout.PartCount; i++)
        {
            var part = new FileInfo(Path.Combine(directory, PartName(i)));
            if (!part.Exists)
            {
                throw new PayloadIncompleteException(transferId, $"part {i} of {layout.PartCount} is missing");
            }

            if (part.Length != layout.SizeOfPart(i))
            {
                throw new PayloadIncompleteException(transferId, $"part {i} has {part.Length} bytes, not {layout.SizeOfPart(i)}");
            }
        }

        string manifest = string.Create(CultureInfo.InvariantCulture, $"{layout.TotalSize} {layout.PartSize} {layout.PartCount}\n");
        await WriteDurablyAsync(directory, ManifestName, System.Text.Encoding.ASCII.GetBytes(manifest), cancellationToken).ConfigureAwait(false);
        _committed[transferId] = layout;
    }

    public async ValueTask<int> ReadAsync(Guid transferId, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (!TryReadManifest(transferId, out PayloadLayout layout))
        {
            throw new PayloadNotFoundException(transferId);
        }

        string directory = DirectoryOf(transferId);
        int total = 0;
        while (total < destination.Length && offset < layout.TotalSize)
        {
            int index = (int)(offset / layout.PartSize);
            long within = offset - ((long)index * layout.PartSize);
            int wanted = (int)Math.Min(destination.Length - total, layout.SizeOfPart(index) - within);
            int read;
            try
            {
                using var file = File.OpenHandle(Path.Combine(directory, PartName(index)), FileMode.Open, FileAccess.Read, FileShare.Read,
                    FileOptions.Asynchronous);
                read = await RandomAccess.ReadAsync(file, destination.Slice(total, wanted), within, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted while being read.
                _committed.TryRemove(transferId, out _);
                throw new PayloadNotFoundException(transferId);
            }

            if (read == 0)
            {
                break;
            }

            total += read;
            offset += read;
        }

        return total;
    }

    public ValueTask DeleteAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        _committed.TryRemove(transferId, out _);
        string directory = DirectoryOf(transferId);
        if (Directory.Exists(directory))
        {
            // The manifest goes first: a crash midway leaves an uncommitted payload, never a committed one with holes.
            string manifest = Path.Combine(directory, ManifestName);
            if (File.Exists(manifest))
            {
                File.Delete(manifest);
                DirectorySync.Flush(directory);
            }

            Directory.Delete(directory, recursive: true);
            DirectorySync.Flush(_root);
        }

        return ValueTask.CompletedTask;
    }

    private string DirectoryOf(Guid transferId) => Path.Combine(_root, transferId.ToString("N", CultureInfo.InvariantCulture));

    private static string PartName(int index) => PartPrefix + index.ToString("D8", CultureInfo.InvariantCulture);

    private bool TryReadManifest(Guid transferId, out PayloadLayout layout)
    {
        if (_committed.TryGetValue(transferId, out layout))
        {
            return true;
        }

        string path = Path.Combine(DirectoryOf(transferId), ManifestName);
        if (!File.Exists(path))
        {
            return false;
        }

        string[] fields = File.ReadAllText(path).Split(' ', StringSplitOptions.TrimEntries);
        layout = new PayloadLayout(long.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture));
        _committed[transferId] = layout;
        return true;
    }

    private static async Task WriteDurablyAsync(string directory, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string target = Path.Combine(directory, name);
        string temporary = Path.Combine(directory, $"{name}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous,
                       data.Length))
            {
                await RandomAccess.WriteAsync(file, data, 0, cancellationToken).ConfigureAwait(false);
                RandomAccess.FlushToDisk(file);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DirectorySync.Flush(directory);
    }
}
