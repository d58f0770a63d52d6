using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using TamTam.Client;

namespace TamTam.Cli.Output;

/// <summary>Turns a received message into the single line <c>tamtam listen</c> prints for it.</summary>
internal static class MessageFormatter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(IncomingMessage message, MessageFormat format) => format switch
    {
        MessageFormat.Text => EscapeText(message.Payload.Span),
        MessageFormat.Hex => Convert.ToHexStringLower(message.Payload.Span),
        MessageFormat.Json => ToJson(message),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>UTF-8 text on one line; invalid UTF-8 shows as U+FFFD (use json or hex for binary payloads).</summary>
    public static string EscapeText(ReadOnlySpan<byte> payload)
    {
        string text = Encoding.UTF8.GetString(payload);
        if (text.AsSpan().IndexOfAny('\\', '\n', '\r') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\n' => builder.Append(@"\n"),
                '\r' => builder.Append(@"\r"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    /// <summary>
    /// <c>{"id","sequence","port_sequence","source","link","port","attempt","redelivery","deadline"?,"payload","text"?}</c>:
    /// <c>payload</c> is always base64; <c>text</c> is present when the payload is valid UTF-8.
    /// </summary>
    public static string ToJson(IncomingMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Payload.Length * 3));
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id", message.MessageId);
            json.WriteNumber("sequence", message.Sequence);
            json.WriteNumber("port_sequence", message.PortSequence);
            json.WriteString("source", $"{message.SourceLink}:{message.SourceNode}");
            json.WriteString("link", message.Link);
            json.WriteString("port", message.Port);
            json.WriteNumber("attempt", message.Attempt);
            json.WriteBoolean("redelivery", message.IsRedelivery);
            if (message.Deadline is { } deadline)
            {
                json.WriteString("deadline", deadline);
            }

            json.WriteBase64String("payload", message.Payload.Span);
            if (Utf8.IsValid(message.Payload.Span))
            {
                json.WriteString("text", message.Payload.Span);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
