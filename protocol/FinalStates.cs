namespace TamTam.Protocol;

/// <summary>Facts about final states that the specification fixes.</summary>
public static class FinalStates
{
    /// <summary>
    /// The state's name as the specification writes it (section 5.14), e.g. <c>NO_ROUTE</c>; <c>STATE_n</c> for a
    /// state this version does not define.
    /// </summary>
    public static string WireName(this FinalState state) => state switch
    {
        FinalState.Delivered => "DELIVERED",
        FinalState.Partial => "PARTIAL",
        FinalState.Expired => "EXPIRED",
        FinalState.Rejected => "REJECTED",
        FinalState.NoRoute => "NO_ROUTE",
        FinalState.Undeliverable => "UNDELIVERABLE",
        FinalState.TooLarge => "TOO_LARGE",
        FinalState.QuotaExceeded => "QUOTA_EXCEEDED",
        FinalState.Canceled => "CANCELED",
        _ => $"STATE_{(byte)state}",
    };

    /// <summary>The highest final state this version defines: a STATUS or report with a higher one is 114.</summary>
    public const FinalState Last = FinalState.Canceled;
}
