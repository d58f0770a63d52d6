using TamTam.Gateway.Diagnostics;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The bytes that frames begun but not finished hold at the gateway, all connections together, against
/// <see cref="GatewayOptions.MaxUnfinishedFrameBytes"/>. Without it, connections that each leave most of a large
/// frame unsent make the silo grow in step with their number (docs/security.md, section 8).
/// </summary>
internal sealed class UnfinishedFrameBudget
{
    private readonly long _limit;
    private readonly GatewayMetrics? _metrics;
    private long _held;

    public UnfinishedFrameBudget(long limit, GatewayMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _limit = limit;
        _metrics = metrics;
    }

    public long Limit => _limit;

    /// <summary>Bytes held now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> more; false, taking nothing, when they would pass the limit.</summary>
    public bool TryHold(long bytes)
    {
        long held = Volatile.Read(ref _held);
        while (true)
        {
            if (held + bytes > _limit)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held)
            {
                _metrics?.UnfinishedFrameBytes(bytes);
                return true;
            }

            held = seen;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> taken by <see cref="TryHold"/>.</summary>
    public void Release(long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _held, -bytes);
            _metrics?.UnfinishedFrameBytes(-bytes);
        }
    }
}
