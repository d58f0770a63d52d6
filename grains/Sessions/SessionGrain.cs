using System.Security.Cryptography;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Sessions;

namespace TamTam.Grains.Sessions;

/// <summary>
/// The directory entry of one resumable session (see <see cref="ISessionGrain"/>). It keeps itself active with a
/// timer while its session may still resume, and on each tick asks the session's link whether the session still
/// holds its node; once it does not (the timeout ran out, another session took the name, the node left) the entry
/// is forgotten and the activation goes.
/// </summary>
/// <remarks>Not reentrant: its calls are short and touch only its own fields.</remarks>
public sealed class SessionGrain : Grain, ISessionGrain
{
    // A tick shorter than this would only add grain calls: the link refuses an expired session at resume anyway.
    private static readonly TimeSpan ShortestCheck = TimeSpan.FromSeconds(1);

    private SessionEntry? _entry;
    private byte[] _secretHash = [];
    private IGrainTimer? _check;

    public Task RememberAsync(string link, string node, byte[] secretHash, TimeSpan sessionTimeout)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        _entry = new SessionEntry(link, node);
        _secretHash = secretHash;
        TimeSpan period = sessionTimeout < ShortestCheck ? ShortestCheck : sessionTimeout;
        _check?.Dispose();
        _check = this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = false });
        return Task.CompletedTask;
    }

    public Task<SessionEntry?> ResolveAsync(byte[] secretHash)
    {
        ArgumentNullException.ThrowIfNull(secretHash);
        bool matches = _entry is not null && CryptographicOperations.FixedTimeEquals(_secretHash, secretHash);
        return Task.FromResult(matches ? _entry : null);
    }

    public Task ForgetAsync()
    {
        Forget();
        return Task.CompletedTask;
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_entry is not { } entry)
        {
            return;
        }

        bool held = await GrainFactory.GetGrain<ILinkGrain>(entry.Link).HoldsSessionAsync(entry.Node, this.GetPrimaryKey());
        if (!held)
        {
            Forget();
        }
    }

    private void Forget()
    {
        _entry = null;
        _secretHash = [];
        _check?.Dispose();
        _check = null;
        this.DeactivateOnIdle();
    }
}
