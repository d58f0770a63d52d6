namespace TamTam.Interfaces.Links;

/// <summary>
/// Implemented by a gateway session: the link pushes deliveries and final statuses to the node's
/// connection through it. A failed call tells the link the session is gone.
/// </summary>
[Alias("tamtam.ILinkObserver")]
public interface ILinkObserver : IGrainObserver
{
    [Alias("deliver")]
    Task DeliverAsync(Delivery[] deliveries);

    [Alias("status")]
    Task StatusAsync(StatusReport[] statuses);

    /// <summary>
    /// The link's activation is going away (rebalancing, shutdown): the session should join again, which
    /// reaches the link's next activation with its name, bindings and inbox intact.
    /// </summary>
    [Alias("relink")]
    Task RelinkAsync();

    /// <summary>
    /// The node's session was resumed on another connection, which holds the node now: this connection must end
    /// (error 213) and send nothing more as the node. One-way: the resume does not wait for a connection that may
    /// be closing already (the link refuses that connection's SENDs itself).
    /// </summary>
    [Alias("superseded")]
    [Orleans.Concurrency.OneWay]
    Task SupersededAsync();
}
