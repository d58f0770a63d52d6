using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;
using TamTam.Storage.Payloads;

namespace TamTam.Grains.Transfers;

/// <summary>
/// The descriptor grain of one parted transfer, keyed by message id. It records the upload's progress, the
/// link's acceptance and each receiver's confirmed parts, and it owns the payload's end: the bytes are removed
/// from the <see cref="IPayloadStore"/> once the message is final, or when an upload is abandoned.
/// </summary>
/// <remarks>
/// Not reentrant: every call is short (no payload bytes pass here), and serial calls keep the phase
/// transitions simple. Transitions that others rely on (committed, accepted, finished, abandoned) are written
/// before the call returns; progress is written at most every <see cref="TransferOptions.ProgressWriteInterval"/>.
/// A timer checks the deadlines while the transfer is alive and keeps the activation from being collected; a live
/// transfer is listed in an <see cref="ITransferRegistryGrain"/> so that a silo's start wakes it (and its timer).
/// </remarks>
public sealed class TransferGrain : Grain, ITransferGrain
{
    private readonly IPersistentState<TransferState> _state;
    private readonly IPayloadStore _payloads;
    private readonly TransferOptions _options;
    private readonly ILogger<TransferGrain> _logger;
    private readonly TimeProvider _time;
    private IGrainTimer? _timer;
    private bool _dirty;
    private long _lastWriteUs;

    public TransferGrain(
        [PersistentState("transfer")] IPersistentState<TransferState> state,
        IPayloadStore payloads,
        IOptions<TransferOptions> options,
        ILogger<TransferGrain> logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _payloads = payloads;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    private TransferState State => _state.State;

    private Guid Id => this.GetPrimaryKey();

    private bool IsLive => State.Phase is TransferPhase.Staging or TransferPhase.Committed or TransferPhase.Accepted;

    private ITransferRegistryGrain Registry => RegistryPartition.For(GrainFactory, Id);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        EnsureTimer();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await WriteAsync();
        }
    }

    public async Task<TransferStart> BeginAsync(TransferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long now = NowUs();
        switch (State.Phase)
        {
            case TransferPhase.None:
                State.Request = request;
                State.Phase = TransferPhase.Staging;
                State.Staged = PartBitmap.For(request.Descriptor.PartCount);
                State.StagedCount = 0;
                State.StagingDeadlineUs = now + Micros(_options.StagingTimeout);

                // Listed before its state exists: a crash between the two leaves a listing the next wake-up drops.
                await Registry.AddAsync(Id);
                await WriteAsync();
                EnsureTimer();
                TransferLog.Started(_logger, Id, request.Source.Link, request.Source.Node, request.Descriptor.TotalSize, request.Descriptor.PartCount);
                return Start();

            case TransferPhase.Abandoned:
                return Start(ErrorCode.Expired, $"transfer {Id} was abandoned: no part arrived before its staging deadline; send it under a new id");

            default:
                if (!SameSender(request))
                {
                    return Start(ErrorCode.OutOfRange,
                        $"message {Id} is a transfer of another sender, destination or shape; a repeated SEND must be identical");
                }

                if (State.Phase == TransferPhase.Staging)
                {
                    State.StagingDeadlineUs = now + Micros(_options.StagingTimeout);
                    _dirty = true;
                }

                return Start();
        }
    }

    public Task PartsStagedAsync(int[] indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        if (State.Phase != TransferPhase.Staging)
        {
            return Task.CompletedTask;
        }

        foreach (int index in indexes)
        {
            if (PartBitmap.Mark(State.Staged, index))
            {
                State.StagedCount++;
            }
        }

        State.StagingDeadlineUs = NowUs() + Micros(_options.StagingTimeout);
        return ProgressAsync();
    }

    public async Task CommittedAsync()
    {
        if (State.Phase == TransferPhase.Staging)
        {
            State.Phase = TransferPhase.Committed;
            State.StagedCount = State.Request!.Descriptor.PartCount;
            State.Staged = [];
            await WriteAsync();
        }
    }

    public async Task AcceptedAsync(ulong sequence, long acceptedAtUs)
    {
        uint ttlMs = State.Request?.TtlMs ?? 0;
        TimeSpan ttl = ttlMs > 0 ? TimeSpan.FromMilliseconds(ttlMs) : _options.DefaultTtl;
        long deadlineUs = ttl > TimeSpan.Zero ? acceptedAtUs + Micros(ttl) : 0; // a zero DefaultTtl: no deadline, as the link's
        if (State.Phase is TransferPhase.Committed or TransferPhase.Staging)
        {
            State.Phase = TransferPhase.Accepted;
            State.Sequence = sequence;
            State.AcceptedAtUs = acceptedAtUs;
            State.DeadlineUs = deadlineUs;
            await WriteAsync();
            EnsureTimer();
        }
    }

    public async Task DiscardAsync(ErrorCode reason)
    {
        if (State.Phase is TransferPhase.Staging or TransferPhase.Committed)
        {
            await _payloads.DeleteAsync(Id);
            TransferLog.Discarded(_logger, Id, reason);
            _dirty = false;
            await _state.ClearStateAsync();
            await Registry.RemoveAsync(Id);
        }
    }

    public Task<int[]> GetConfirmedPartsAsync(string receiver, int partSize)
    {
        if (State.Receivers.TryGetValue(receiver, out ReceiverProgress? progress) && progress.PartSize == partSize)
        {
            return Task.FromResult(PartBitmap.Marked(progress.Confirmed, progress.Confirmed.Length * 8));
        }

        return Task.FromResult(Array.Empty<int>());
    }

    public Task PartsConfirmedAsync(string receiver, int partSize, int[] indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        if (State.Phase != TransferPhase.Accepted || State.Request is not { } request)
        {
            return Task.CompletedTask;
        }

        if (!State.Receivers.TryGetValue(receiver, out ReceiverProgress? progress) || progress.PartSize != partSize)
        {
            // A receiver that comes back with another part size starts over: its parts are cut differently.
            int count = (int)((request.Descriptor.TotalSize + partSize - 1) / partSize);
            progress = new ReceiverProgress { PartSize = partSize, Confirmed = PartBitmap.For(count) };
            State.Receivers[receiver] = progress;
        }

        foreach (int index in indexes)
        {
            if (PartBitmap.Mark(progress.Confirmed, index))
            {
                progress.Count++;
            }
        }

        return ProgressAsync();
    }

    public async Task FinishedAsync(FinalState state)
    {
        if (State.Phase is TransferPhase.Finished or TransferPhase.Abandoned or TransferPhase.None)
        {
            return;
        }

        await EndAsync(TransferPhase.Finished, state);
    }

    public Task<bool> WakeAsync() => Task.FromResult(IsLive);

    public Task<TransferSnapshot> GetSnapshotAsync()
    {
        var confirmed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string node, ReceiverProgress progress) in State.Receivers)
        {
            confirmed[node] = progress.Count;
        }

        long deadline = State.Phase == TransferPhase.Staging ? State.StagingDeadlineUs : State.DeadlineUs;
        return Task.FromResult(new TransferSnapshot(State.Phase, State.Request?.Descriptor, State.StagedCount, confirmed, deadline,
            State.FinalState));
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        long now = NowUs();
        // Committed but never handed to its link (the gateway stopped between the two, the sender never came back)
        // ends the same way as an upload that stalls.
        if (State.Phase is TransferPhase.Staging or TransferPhase.Committed && now >= State.StagingDeadlineUs)
        {
            TransferLog.Abandoned(_logger, Id, State.StagedCount, State.Request?.Descriptor.PartCount ?? 0);
            await EndAsync(TransferPhase.Abandoned, null);
            return;
        }

        if (State.Phase == TransferPhase.Accepted && State.DeadlineUs > 0 && now >= State.DeadlineUs + Micros(_options.CleanupGrace))
        {
            // The link expires a message at its deadline and reports it at once: this is the net for a report lost
            // to a crash between the link's final record and its call here.
            await EndAsync(TransferPhase.Finished, FinalState.Expired);
            return;
        }

        if (_dirty)
        {
            await WriteAsync();
        }

        if (IsLive)
        {
            // A live transfer keeps its activation, so that its deadlines are watched.
            DelayDeactivation(_options.TimerPeriod * 3);
        }
    }

    private async Task EndAsync(TransferPhase phase, FinalState? state)
    {
        await _payloads.DeleteAsync(Id);
        State.Phase = phase;
        State.FinalState = state;
        State.EndedAtUs = NowUs();
        State.Staged = [];
        foreach (ReceiverProgress receiver in State.Receivers.Values)
        {
            // The counts stay for the record; the bitmaps are not needed any more.
            receiver.Confirmed = [];
        }

        await WriteAsync();
        _timer?.Dispose();
        _timer = null;
        TransferLog.Ended(_logger, Id, phase, state?.ToString() ?? "-");
        await Registry.RemoveAsync(Id);
    }

    private void EnsureTimer()
    {
        if (_timer is null && IsLive)
        {
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(_options.TimerPeriod, _options.TimerPeriod));
        }
    }

    private Task ProgressAsync()
    {
        _dirty = true;
        return NowUs() - _lastWriteUs >= Micros(_options.ProgressWriteInterval) ? WriteAsync() : Task.CompletedTask;
    }

    private async Task WriteAsync()
    {
        await _state.WriteStateAsync();
        _dirty = false;
        _lastWriteUs = NowUs();
    }

    private bool SameSender(TransferRequest request) =>
        State.Request is { } first && first.Source == request.Source && first.DestinationLink == request.DestinationLink
        && first.Port == request.Port && first.Subtree == request.Subtree && first.Descriptor.SameAs(request.Descriptor);

    private TransferStart Start(ErrorCode refusal = ErrorCode.None, string? detail = null) =>
        new(State.Phase, State.Sequence, State.AcceptedAtUs, refusal, detail);

    private long NowUs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    private static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;
}
