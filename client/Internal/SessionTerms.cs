namespace TamTam.Client.Internal;

/// <summary>What WELCOME settled for the session, copied out of the frame.</summary>
internal sealed record SessionTerms(
    ushort Version,
    int MaxBody,
    uint MaxInflight,
    TimeSpan Heartbeat,
    TimeSpan SessionTimeout,
    uint PartSize,
    Guid SessionId,
    byte[] ResumeToken,
    string ServerName,
    bool Resumed);
