using System.Text;

namespace TamTam.Storage.Tests.Support;

/// <summary>Deterministic test records whose bytes say which record they are.</summary>
public static class Records
{
    /// <summary>Record <paramref name="index"/>: its number, then filler to <paramref name="size"/> bytes.</summary>
    public static byte[] Make(int index, int size = 100)
    {
        var bytes = new byte[size];
        var label = Encoding.ASCII.GetBytes($"record-{index}:");
        label.AsSpan(0, Math.Min(label.Length, size)).CopyTo(bytes);
        for (var i = label.Length; i < size; i++)
        {
            bytes[i] = (byte)(index * 31 + i);
        }

        return bytes;
    }

    public static ReadOnlyMemory<byte>[] Batch(int firstIndex, int count, int size = 100)
    {
        var batch = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            batch[i] = Make(firstIndex + i, size);
        }

        return batch;
    }

    public static async Task<List<LogRecord>> ReadAllAsync(ISegmentLog log, long fromLsn = 1)
    {
        var records = new List<LogRecord>();
        await foreach (var record in log.ReadAsync(fromLsn))
        {
            records.Add(record);
        }

        return records;
    }
}
