using TamTam.Interfaces.Links;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// One link's view of a station session: the link pushes its roaming deliveries, and the statuses of the messages the station
/// sent on its behalf, through this observer, which tells the session which link they come from (ACK and STATUS_ACK name
/// only a message).
/// </summary>
internal sealed class StationLinkObserver(SessionStation station, string link) : ILinkObserver
{
    public string Link { get; } = link;

    public Task DeliverAsync(Delivery[] deliveries) => station.DeliverAsync(Link, deliveries);

    public Task StatusAsync(StatusReport[] statuses) => station.StatusAsync(Link, statuses);

    // A link that goes away finds its route again at its next activation (it asks the interchange); nothing to do here.
    public Task RelinkAsync() => Task.CompletedTask;

    public Task SupersededAsync() => Task.CompletedTask;
}
