namespace TamTam.Interfaces.Interchange;

/// <summary>
/// Implemented by a station's gateway session: a link whose message is ring-forwarded offers it to the station through
/// it (STATION_OFFER, docs/protocol.md section 5.18). A failed call tells the link the station is gone. Deliveries and
/// statuses reach the station through one <see cref="Links.ILinkObserver"/> per link it serves instead.
/// </summary>
[Alias("tamtam.IStationObserver")]
public interface IStationObserver : IGrainObserver
{
    /// <summary>Writes the offer to the station; the station answers with STATION_CLAIM or STATION_PASS.</summary>
    [Alias("offer")]
    Task OfferAsync(StationOffer offer);

    /// <summary>
    /// Writes stream packets to the station (STREAM, docs/protocol.md section 5.18 "Streams"): encoded as the station
    /// receives them, with the ttl left and <c>stream_sequence</c> 0. Never stored: a station that cannot take them loses them.
    /// </summary>
    [Alias("stream")]
    Task StreamAsync(Streams.StreamBatch batch);
}
