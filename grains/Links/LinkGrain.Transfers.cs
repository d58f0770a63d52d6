using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links;

public sealed partial class LinkGrain
{
    public async Task<SendOutcome> CheckRouteAsync(MessageSource source, string port, bool subtree)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(port);
        if (_faulted)
        {
            return SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{Link}\" is recovering");
        }

        // A roaming link's ports are its station's business (docs/protocol.md section 5.18): the interchange carries the
        // parted message as any other, and its final state says where it ended.
        if (!_core.IsHostedInCloud && await IsRoamingAsync())
        {
            return default;
        }

        // A parted message counts as 0 bytes in the inboxes (its bytes are in the payload store): only the
        // message-count quota can refuse it.
        return _core.RouteRefusal(port, subtree, 0, _core.SenderOf(source), rotate: false, out _, out _, out _) ?? default;
    }
}
