namespace TamTam.Storage.Payloads.Internal;

/// <summary>
/// One payload's place among a local store's open stagers: the callers using the payload, and its stager once the
/// first of them has opened it. Opening takes <see cref="Opening"/>, which only the payload's own users wait for:
/// reading a large data file back after a start holds up no other payload's staging.
/// </summary>
internal sealed class StagerSlot
{
    /// <summary>Held while the stager is opened, so that two first users cannot open the same file twice.</summary>
    public Lock Opening { get; } = new();

    /// <summary>The open stager; set under <see cref="Opening"/>, null until a user opened it.</summary>
    public PartStager? Stager { get; set; }

    /// <summary>How many callers use the slot, from before they open it to after they are done; changed under the store's lock only.</summary>
    public int Users { get; set; }
}
