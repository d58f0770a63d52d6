using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>
/// The memory Kestrel's transports read into and write from: pinned blocks of <see cref="TransportMemoryPool.BlockSize"/> bytes instead
/// of the default 4 KiB. A socket read fills at most one block, so with 4 KiB blocks a 1 MiB part takes 256 reads
/// (and as many zero-byte reads that wait for data); with 64 KiB ones it takes 16. An idle connection holds no block:
/// the transport waits for data before it takes one.
/// </summary>
internal sealed class TransportMemoryPoolFactory(ILogger<TransportMemoryPoolFactory> logger, TimeProvider timeProvider)
    : IMemoryPoolFactory<byte>, IDisposable
{
    private readonly TransportMemoryRelease _release = new(logger, timeProvider);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool(_release);

    public void Dispose() => _release.Dispose();
}

/// <summary>
/// Pinned blocks of one size; at most <see cref="Retained"/> wait for reuse, the others go to the GC, and
/// <see cref="TransportMemoryRelease"/> sees that their memory is given back.
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Blocks kept for reuse at most (8 MiB).</summary>
    public const int Retained = 128;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly TransportMemoryRelease? _release;
    private int _freeCount;

    public TransportMemoryPool(TransportMemoryRelease? release = null)
    {
        _release = release;
        release?.Register(this);
    }

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        return new Block(this);
    }

    /// <summary>Lets the blocks kept for reuse go to the GC.</summary>
    public void DropKept()
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _release?.Unregister(this);
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= Retained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
            _release?.Dropped(BlockSize);
        }
    }

    private sealed class Block(TransportMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool.Return(this);
    }
}
