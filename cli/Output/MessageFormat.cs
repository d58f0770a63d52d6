namespace TamTam.Cli.Output;

/// <summary>How <c>tamtam listen</c> writes each message: always exactly one line.</summary>
internal enum MessageFormat
{
    /// <summary>The payload as UTF-8, with <c>\</c>, newline and carriage return escaped as <c>\\</c>, <c>\n</c>, <c>\r</c>.</summary>
    Text,

    /// <summary>A JSON object with the message's id, sequence, source, port, attempt and payload.</summary>
    Json,

    /// <summary>The payload as lowercase hexadecimal.</summary>
    Hex,
}
