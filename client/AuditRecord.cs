using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>
/// One line of a link's audit trail (AUDIT/AUDIT_REPORT, docs/protocol.md section 5.20): who sent which message to
/// which port, when, and how it ended. Never its payload.
/// </summary>
public sealed record AuditRecord(
    Guid MessageId,
    ulong Sequence,
    string SourceLink,
    string SourceNode,
    string Port,
    DateTimeOffset AcceptedAt,
    FinalState State,
    uint Recipients,
    uint Confirmed,
    DateTimeOffset FinalAt)
{
    /// <summary>
    /// The record as one line of the audit export (<see cref="TamTamClient.ExportAuditAsync"/>), without its newline:
    /// <c>message_id</c>, <c>sequence</c>, <c>src_link</c>, <c>src_node</c>, <c>port</c>, <c>accepted_at</c>, <c>state</c>
    /// (as docs/protocol.md names it), <c>recipients</c>, <c>confirmed</c>, <c>final_at</c>; times in ISO 8601 UTC.
    /// </summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            Internal.AuditJson.Write(json, this);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>One page of a link's audit trail, and the cursor of the next page (0: the trail has no more for now).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, ulong Next);
