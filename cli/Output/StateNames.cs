using TamTam.Protocol;

namespace TamTam.Cli.Output;

/// <summary>Final states as docs/protocol.md names them.</summary>
internal static class StateNames
{
    public static string Of(FinalState state) => state switch
    {
        FinalState.Delivered => "DELIVERED",
        FinalState.Partial => "PARTIAL",
        FinalState.Expired => "EXPIRED",
        FinalState.Rejected => "REJECTED",
        FinalState.NoRoute => "NO_ROUTE",
        FinalState.Undeliverable => "UNDELIVERABLE",
        FinalState.TooLarge => "TOO_LARGE",
        FinalState.QuotaExceeded => "QUOTA_EXCEEDED",
        _ => $"STATE_{(byte)state}",
    };
}
