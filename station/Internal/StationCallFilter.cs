using TamTam.Interfaces.Links;

namespace TamTam.Station.Internal;

/// <summary>
/// Where the embedded silo's calls to a link the station does not host are turned into interchange traffic, before they
/// reach a grain: a SEND to such a link goes upstream, a final status reported to such a link (the source of a message
/// that came from upstream) settles its upstream delivery, and a JOIN of such a link is refused (203). Calls to hosted
/// links pass unchanged, so messages between them never leave the station.
/// </summary>
internal sealed class StationCallFilter(StationRouter router) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(ILinkGrain) || router.Hosts(context.TargetId.Key.ToString()!))
        {
            await context.Invoke().ConfigureAwait(false);
            return;
        }

        string link = context.TargetId.Key.ToString()!;
        switch (context.MethodName)
        {
            case nameof(ILinkGrain.SendAsync):
                context.Result = await router.ForwardAsync((MessageSource)context.Request.GetArgument(0)!, link, (SendCommand[])context.Request.GetArgument(1)!)
                    .ConfigureAwait(false);
                return;
            case nameof(ILinkGrain.CheckRouteAsync):
                context.Result = router.CheckRoute(link);
                return;
            case nameof(ILinkGrain.ReportStatusAsync):
                await router.SettleAsync((StatusReport[])context.Request.GetArgument(0)!).ConfigureAwait(false);

                // The call is answered here: without a result Orleans fails it as a broken filter chain, and the link
                // would report the same statuses again on every tick, for ever.
                context.Result = null;
                return;
            case nameof(ILinkGrain.JoinAsync):
                context.Result = new OperationResult(ErrorCode.Forbidden, $"this station does not host link \"{link}\"");
                return;
            default:
                // Queries (NODES, LINKS, MESSAGE, AUDIT) of a link the station does not host find an empty link.
                await context.Invoke().ConfigureAwait(false);
                return;
        }
    }
}
