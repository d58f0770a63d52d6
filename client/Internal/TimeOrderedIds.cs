namespace TamTam.Client.Internal;

/// <summary>
/// The ids a client draws for its messages and STREAM packets: UUIDv7 (RFC 9562) with a counter in the last two bytes
/// of the random part, so a fresh <see cref="Guid.CreateVersion7()"/> (the kernel's random bytes, a system call) is
/// drawn once per 65,536 ids instead of for each: it was a visible share of a sender's CPU. Ids stay unique and
/// time-ordered per client, and 58 random bits a run keep clients apart.
/// </summary>
internal sealed class TimeOrderedIds
{
    private const int PerBase = 65_536;

    private readonly Lock _gate = new();
    private readonly byte[] _base = new byte[16];
    private int _next = PerBase;

    public Guid Next()
    {
        Span<byte> id = stackalloc byte[16];
        lock (_gate)
        {
            if (_next == PerBase)
            {
                Guid.CreateVersion7().TryWriteBytes(_base, bigEndian: true, out _);
                _next = 0;
            }

            _base.CopyTo(id);
            int counter = _next++;
            id[14] = (byte)(counter >> 8);
            id[15] = (byte)counter;
        }

        return new Guid(id, bigEndian: true);
    }
}
