using System.Collections;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Storage.Payloads;

namespace TamTam.Gateway.Transfers.Internal;

/// <summary>
/// One upload in progress on a session: which parts the store holds, which are being staged, and the SEND
/// (its correlation) to answer once the payload is committed and accepted.
/// </summary>
internal sealed class InboundTransfer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly BitArray _held;
    private readonly BitArray _staging;
    private int _heldCount;
    private int _inFlight;
    private int _finishing;

    public InboundTransfer(Guid id, uint correlation, TransferRequest request, ITransferGrain grain, ProgressReporter progress, int window)
    {
        Id = id;
        Correlation = correlation;
        Request = request;
        Grain = grain;
        Progress = progress;
        Layout = new PayloadLayout(request.Descriptor.TotalSize, request.Descriptor.PartSize, request.Descriptor.PartCount);
        _held = new BitArray(Layout.PartCount);
        _staging = new BitArray(Layout.PartCount);

        // Half the window at most waits for a gap, so the part that fills it always finds room.
        Digest = new UploadDigest(Math.Max(1, window / 2));
    }

    public Guid Id { get; }

    /// <summary>The correlation of the SEND that ACCEPTED (or the ERROR) answers.</summary>
    public uint Correlation { get; }

    public TransferRequest Request { get; }

    public PayloadLayout Layout { get; }

    public ITransferGrain Grain { get; }

    public ProgressReporter Progress { get; }

    /// <summary>The SHA-256 of the parts staged, in order.</summary>
    public UploadDigest Digest { get; }

    public SendCommand Command => new(Id, Request.Port, Request.Subtree, Request.TtlMs, [], Request.Descriptor, Request.Reply, TraceParent);

    /// <summary>The SEND's trace context (flag TRACED), kept with the message.</summary>
    public string? TraceParent { get; init; }

    /// <summary>When this connection's upload began (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for its span.</summary>
    public long StartedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public bool AllHeld
    {
        get
        {
            lock (_gate)
            {
                return _heldCount == Layout.PartCount;
            }
        }
    }

    public void MarkHeld(int index)
    {
        lock (_gate)
        {
            _staging[index] = false;
            if (!_held[index])
            {
                _held[index] = true;
                _heldCount++;
            }
        }
    }

    /// <summary>
    /// Whether part <paramref name="index"/> is held, being staged, or may start staging within <paramref name="window"/>:
    /// parts being staged and parts waiting for the digest share it, and the part they wait for may exceed it by one.
    /// </summary>
    public PartAdmission Admit(int index, int window)
    {
        lock (_gate)
        {
            if (_held[index])
            {
                return PartAdmission.Held;
            }

            if (_staging[index])
            {
                return PartAdmission.Staging;
            }

            // The part the waiting ones wait for is let in beyond the window: refusing it would hold them forever
            // (a window of one, with a later part staged first, would stall the upload).
            if (_inFlight + Digest.Waiting >= window && index != Digest.Next)
            {
                return PartAdmission.WindowFull;
            }

            _staging[index] = true;
            _inFlight++;
            return PartAdmission.Admitted;
        }
    }

    /// <summary>A staging attempt ended (stored or failed).</summary>
    public void Staged(int index)
    {
        lock (_gate)
        {
            _staging[index] = false;
            _inFlight--;
        }
    }

    /// <summary>True once: the caller finishes the upload (commit, verify, accept).</summary>
    public bool TryStartFinishing() => Interlocked.Exchange(ref _finishing, 1) == 0;

    public void Dispose() => Digest.Dispose();
}

internal enum PartAdmission
{
    Admitted,
    Held,
    Staging,
    WindowFull,
}
