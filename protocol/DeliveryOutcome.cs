namespace TamTam.Protocol;

/// <summary>How one recipient's delivery of a message stands, in a MESSAGE_REPORT (docs/protocol.md, section 5.19).</summary>
public enum DeliveryOutcome : byte
{
    /// <summary>Not settled yet: waiting in the recipient's inbox or delivered and not yet acknowledged.</summary>
    Pending = 0,
    Acknowledged = 1,
    Rejected = 2,
    Expired = 3,
    Undeliverable = 4,
    NoRoute = 5,
    Canceled = 6,
}

/// <summary>Facts about delivery outcomes that the specification fixes.</summary>
public static class DeliveryOutcomes
{
    /// <summary>The highest outcome this version defines: a report with a higher one is 114.</summary>
    public const DeliveryOutcome Last = DeliveryOutcome.Canceled;

    /// <summary>The outcome's name as the specification writes it, e.g. <c>NO_ROUTE</c>; <c>OUTCOME_n</c> for one this version does not define.</summary>
    public static string WireName(this DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Pending => "PENDING",
        DeliveryOutcome.Acknowledged => "ACKNOWLEDGED",
        DeliveryOutcome.Rejected => "REJECTED",
        DeliveryOutcome.Expired => "EXPIRED",
        DeliveryOutcome.Undeliverable => "UNDELIVERABLE",
        DeliveryOutcome.NoRoute => "NO_ROUTE",
        DeliveryOutcome.Canceled => "CANCELED",
        _ => $"OUTCOME_{(byte)outcome}",
    };
}
