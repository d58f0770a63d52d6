using Microsoft.Extensions.Logging;

namespace TamTam.Silo.Internal;

/// <summary>The host's log events (2000–2099, docs/architecture.md "Log event ids"). Event ids are stable.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "TamTam interchange listening: {TcpAddress}, {HttpAddress}")]
    public static partial void Listening(this ILogger logger, string tcpAddress, string httpAddress);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "TamTam interchange stopping: sessions are told 211 and closed")]
    public static partial void Stopping(this ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "TamTam interchange stopped")]
    public static partial void Stopped(this ILogger logger);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "Anonymous access is on (TamTam:Security:AllowAnonymous=true) and the interchange listens on {Address}, beyond loopback: " +
            "anyone who reaches it may join any link and send anywhere. Set TamTam:Security:AllowAnonymous=false and configure " +
            "TamTam:Security:Keys (docs/security.md)")]
    public static partial void AnonymousBeyondLoopback(this ILogger logger, string address);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "TLS is off and the interchange listens on {Address}, beyond loopback: tokens and messages cross the network in clear. " +
            "Set TamTam:Tls:CertificatePath (docs/security.md)")]
    public static partial void CleartextBeyondLoopback(this ILogger logger, string address);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "TLS on TCP and HTTP with certificate {Subject} (thumbprint {Thumbprint}), valid until {NotAfter:u}")]
    public static partial void TlsCertificate(this ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning,
        Message = "The TLS certificate {Subject} expired at {NotAfter:u}: clients that check it refuse the connection")]
    public static partial void TlsCertificateExpired(this ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information,
        Message = "Transport buffers of {DroppedBytes} bytes were freed after a burst: a full collection took the memory the GC holds from {CommittedBeforeBytes} to {CommittedAfterBytes} bytes ({HeapBytes} bytes live) in a pause of {PauseMs} ms")]
    public static partial void TransportMemoryReleased(this ILogger logger, long droppedBytes, long committedBeforeBytes, long committedAfterBytes, long heapBytes,
        long pauseMs);
}
