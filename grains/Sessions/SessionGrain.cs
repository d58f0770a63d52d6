using System.Security.Cryptography;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Sessions;

namespace TamTam.Grains.Sessions;

/// <summary>
/// The directory entry of one resumable session (see <see cref="ISessionGrain"/>), persisted in grain storage so that
/// it survives the loss of its silo (a drain or a crash): a client then resumes its session through another silo. It
/// keeps itself active with a timer while its session may still resume, and on each tick asks the session's link
/// whether the session still holds its node; once it does not (the timeout ran out, another session took the name,
/// the node left) the entry is forgotten, its stored state cleared, and the activation goes.
/// </summary>
/// <remarks>
/// Not reentrant: its calls are short and touch only its own fields. One storage write per session (at its JOIN) and
/// one when it is forgotten; a resume that finds the entry unchanged writes nothing.
/// </remarks>
public sealed class SessionGrain([PersistentState("session")] IPersistentState<SessionEntryState> state) : Grain, ISessionGrain
{
    // A tick shorter than this would only add grain calls: the link refuses an expired session at resume anyway.
    private static readonly TimeSpan ShortestCheck = TimeSpan.FromSeconds(1);

    private IGrainTimer? _check;

    private SessionEntryState Entry => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // An entry stored by an activation on another silo: watch it as that one did.
        if (Entry.Link is not null)
        {
            Watch(Entry.SessionTimeout);
        }

        return Task.CompletedTask;
    }

    public async Task RememberAsync(string link, string node, byte[] secretHash, TimeSpan sessionTimeout)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        bool unchanged = Entry.Link == link && Entry.Node == node && Entry.SessionTimeout == sessionTimeout
            && CryptographicOperations.FixedTimeEquals(Entry.SecretHash, secretHash);
        if (!unchanged)
        {
            Entry.Link = link;
            Entry.Node = node;
            Entry.SecretHash = secretHash;
            Entry.SessionTimeout = sessionTimeout;
            await state.WriteStateAsync();
        }

        Watch(sessionTimeout);
    }

    public Task<SessionEntry?> ResolveAsync(byte[] secretHash)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        bool matches = Entry is { Link: not null, Node: not null } && CryptographicOperations.FixedTimeEquals(Entry.SecretHash, secretHash);
        return Task.FromResult(matches ? new SessionEntry(Entry.Link!, Entry.Node!) : null);
    }

    public Task ForgetAsync() => ForgetCoreAsync();

    private void Watch(TimeSpan sessionTimeout)
    {
        TimeSpan period = sessionTimeout < ShortestCheck ? ShortestCheck : sessionTimeout;
        _check?.Dispose();
        _check = this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = false });
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (Entry is not { Link: { } link, Node: { } node })
        {
            return;
        }

        bool held = await GrainFactory.GetGrain<ILinkGrain>(link).HoldsSessionAsync(node, this.GetPrimaryKey());
        if (!held)
        {
            await ForgetCoreAsync();
        }
    }

    private async Task ForgetCoreAsync()
    {
        _check?.Dispose();
        _check = null;
        if (Entry.Link is not null || state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new SessionEntryState();
        this.DeactivateOnIdle();
    }
}
