using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links;

public sealed partial class LinkGrain
{
    public Task<SendOutcome> CheckRouteAsync(MessageSource source, string port, bool subtree)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(port);
        if (_faulted)
        {
            return Task.FromResult(SendOutcome.Refused(ErrorCode.Unavailable, $"link \"{Link}\" is recovering"));
        }

        // A parted message counts as 0 bytes in the inboxes (its bytes are in the payload store): only the
        // message-count quota can refuse it.
        return Task.FromResult(_core.RouteRefusal(port, subtree, 0, _core.SenderOf(source), rotate: false, out _, out _, out _) ?? default);
    }
}
