using System.Text.Json;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>The JSON-lines form of an audit record (client/README.md "Audit trail"): snake_case keys, times in ISO 8601 UTC.</summary>
internal static class AuditJson
{
    public static void Write(Utf8JsonWriter json, AuditRecord record)
    {
        json.WriteStartObject();
        json.WriteString("message_id", record.MessageId);
        json.WriteNumber("sequence", record.Sequence);
        json.WriteString("src_link", record.SourceLink);
        json.WriteString("src_node", record.SourceNode);
        json.WriteString("port", record.Port);
        json.WriteString("accepted_at", record.AcceptedAt.UtcDateTime);
        json.WriteString("state", record.State.WireName());
        json.WriteNumber("recipients", record.Recipients);
        json.WriteNumber("confirmed", record.Confirmed);
        json.WriteString("final_at", record.FinalAt.UtcDateTime);
        json.WriteEndObject();
    }
}
