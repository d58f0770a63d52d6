namespace TamTam.Client.Internal;

/// <summary>What to do with one DELIVER.</summary>
internal enum DeliveryDecision
{
    /// <summary>New to the application: hand it out.</summary>
    Surface,

    /// <summary>The application holds it unsettled: drop the repeat silently.</summary>
    HeldByApplication,

    /// <summary>Acknowledged before: ACK again, do not hand out.</summary>
    AlreadyAcknowledged,

    /// <summary>Rejected before: NACK again, do not hand out.</summary>
    AlreadyRejected,
}
