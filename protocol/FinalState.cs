namespace TamTam.Protocol;

/// <summary>The one final state every accepted message ends in (docs/protocol.md, section 5.14).</summary>
public enum FinalState : byte
{
    Delivered = 1,
    Partial = 2,
    Expired = 3,
    Rejected = 4,
    NoRoute = 5,
    Undeliverable = 6,
    TooLarge = 7,
    QuotaExceeded = 8,
    Canceled = 9,
}
