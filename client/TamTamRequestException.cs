using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// A request ended in a final state other than DELIVERED before its reply came (<see cref="TamTamClient.RequestAsync"/>):
/// nobody took it in time (EXPIRED), its receiver refused it (REJECTED), or no node was there to take it (NO_ROUTE,
/// UNDELIVERABLE). No reply will come for it.
/// </summary>
public sealed class TamTamRequestException : Exception
{
    /// <summary>Creates the exception for a request that ended with <paramref name="status"/>.</summary>
    public TamTamRequestException(MessageStatus status)
        : base($"request {status?.MessageId} ended {status?.State.WireName()} without a reply{(string.IsNullOrEmpty(status?.Detail) ? string.Empty : $": {status.Detail}")}")
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    /// <summary>Creates the exception with a default message and no status.</summary>
    public TamTamRequestException()
        : base("the request ended without a reply")
    {
        Status = null!;
    }

    /// <summary>Creates the exception with a message and no status.</summary>
    public TamTamRequestException(string message)
        : base(message)
    {
        Status = null!;
    }

    /// <summary>Creates the exception with a message, an inner exception and no status.</summary>
    public TamTamRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = null!;
    }

    /// <summary>The request's final status.</summary>
    public MessageStatus Status { get; }
}
