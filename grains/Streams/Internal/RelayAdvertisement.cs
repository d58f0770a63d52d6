using Orleans.Metadata;

namespace TamTam.Grains.Streams.Internal;

/// <summary>
/// Tells the cluster which silos host a relay service. A silo set up with <c>AddTamTamStreams</c> marks the port
/// grain's type in its grain manifest, which Orleans hands to every silo as the silo joins; a silo hosted without
/// streaming has no relay and no mark, so port grains leave it out instead of calling a relay that is not there.
/// A relay whose silo carries the mark also reports its subscribers' lag
/// (<see cref="TamTam.Interfaces.Streams.IStreamRelay.DeliverReportingLagAsync"/>); builds older than the mark
/// do not, and are sent batches the older way.
/// </summary>
internal sealed class RelayAdvertisement : IGrainPropertiesProvider
{
    /// <summary>The grain property, on <see cref="StreamPortGrain"/>'s type, of a silo that hosts a relay.</summary>
    public const string Property = "tamtam.streams.relay";

    public void Populate(Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        if (grainClass == typeof(StreamPortGrain))
        {
            properties[Property] = "true";
        }
    }

    /// <summary>
    /// Whether <paramref name="silo"/> hosts a relay, by its manifest in <paramref name="manifest"/>; null while
    /// that manifest is not known yet (Orleans fetches it once membership lists the silo as active).
    /// </summary>
    public static bool? HostsRelay(ClusterManifest manifest, SiloAddress silo, GrainType portGrain) =>
        manifest.Silos.TryGetValue(silo, out GrainManifest? grains)
            ? grains.Grains.TryGetValue(portGrain, out GrainProperties? properties) && properties.Properties.ContainsKey(Property)
            : null;
}
