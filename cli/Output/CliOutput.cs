using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Output;

/// <summary>
/// Where a command's results go: text for people by default, or with <c>--json</c> one JSON object per line on standard
/// output (JSON Lines) and errors as <c>{"error": …}</c> objects on standard error.
/// </summary>
internal sealed class CliOutput(CliConsole console, bool json)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public CliConsole Console => console;

    public bool Json => json;

    public static CliOutput For(CliConsole console, ParseResult parse) =>
        new(console, parse.GetResult(GlobalOptions.JsonName) is not null && parse.GetValue<bool>(GlobalOptions.JsonName));

    /// <summary>A line of text (in text mode only).</summary>
    public async Task LineAsync(string text)
    {
        if (!json)
        {
            await console.Out.WriteLineAsync(text);
        }
    }

    /// <summary>One JSON object on a line of its own (in JSON mode only).</summary>
    public async Task ObjectAsync(Action<Utf8JsonWriter> write)
    {
        if (json)
        {
            await console.Out.WriteLineAsync(ToJson(write));
        }
    }

    /// <summary>Writes the text or the JSON, whichever the mode is.</summary>
    public Task WriteAsync(Func<string> text, Action<Utf8JsonWriter> write) =>
        json ? console.Out.WriteLineAsync(ToJson(write)) : console.Out.WriteLineAsync(text());

    public static string ToJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A failure on standard error: <c>error 300 NO_ROUTE: …</c>, or <c>{"error":{"code":300,"name":"NO_ROUTE","detail":…}}</c>.</summary>
    public async Task ReportAsync(Exception exception)
    {
        if (!json)
        {
            await console.ReportAsync(exception);
            return;
        }

        (ushort code, string? name, string detail) = exception switch
        {
            TamTamException { Code: not ErrorCode.None } protocol => ((ushort)protocol.Code, protocol.CodeName, protocol.Detail),
            TamTamException other => ((ushort)0, (string?)null, other.Detail),
            _ => ((ushort)0, (string?)null, exception.Message),
        };
        await console.Error.WriteLineAsync(ToJson(writer =>
        {
            writer.WriteStartObject("error");
            if (name is not null)
            {
                writer.WriteNumber("code", code);
                writer.WriteString("name", name);
            }

            writer.WriteString("detail", detail);
            writer.WriteEndObject();
        }));
    }

    /// <summary>A usage problem found by the command itself (not the parser): the same shape as <see cref="ReportAsync(Exception)"/>.</summary>
    public Task ReportAsync(string detail) => ReportAsync(new InvalidOperationException(detail));

    /// <summary>Writes the rows as columns aligned under their headers, two spaces apart.</summary>
    public async Task TableAsync(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        List<IReadOnlyList<string>> all = [headers, .. rows];
        int[] widths = new int[headers.Count];
        foreach (IReadOnlyList<string> row in all)
        {
            for (int i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var line = new StringBuilder();
        foreach (IReadOnlyList<string> row in all)
        {
            line.Clear();
            for (int i = 0; i < widths.Length; i++)
            {
                line.Append(i == widths.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            await console.Out.WriteLineAsync(line.ToString().TrimEnd());
        }
    }
}
