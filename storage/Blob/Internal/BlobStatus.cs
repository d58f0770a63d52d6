using Azure;

namespace TamTam.Storage.Blob.Internal;

/// <summary>The HTTP statuses of the storage service that the blob backend acts on.</summary>
internal static class BlobStatus
{
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int PreconditionFailed = 412;
    public const int RangeNotSatisfiable = 416;

    /// <summary>True for the failures of a conditional request: the blob was not in the state the condition named.</summary>
    public static bool IsConditionFailure(RequestFailedException ex) =>
        ex.Status is PreconditionFailed or Conflict;
}
