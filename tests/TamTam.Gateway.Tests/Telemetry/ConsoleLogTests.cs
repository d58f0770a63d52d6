using System.Text.Json;

namespace TamTam.Gateway.Tests.Telemetry;

/// <summary>The executable's console log: what it shows by default, and the JSON format (silo/README.md, "Logs").</summary>
public sealed class ConsoleLogTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_default_console_log_shows_TamTam_lines_and_no_information_lines_of_Orleans_Polly_or_Azure()
    {
        await using var silo = SiloExecutable.Start();
        await silo.WaitForLineAsync(line => line.Contains("TamTam interchange listening:", StringComparison.Ordinal), StartTimeout);
        await silo.StopAsync();

        // The simple console format writes "info: Category[EventId]" on the first line of an event.
        string[] foreign = [.. silo.Lines.Where(line => line.StartsWith("info: ", StringComparison.Ordinal) && !line.StartsWith("info: TamTam.", StringComparison.Ordinal))];
        Assert.True(foreign.Length == 0, $"information lines of other components:\n{string.Join('\n', foreign)}");
        Assert.Contains(silo.Lines, line => line.StartsWith("info: TamTam.Silo[2001]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_the_json_format_each_log_event_is_one_json_object_on_one_line()
    {
        await using var silo = SiloExecutable.Start("--TamTam:Logging:Format=json");

        string line = await silo.WaitForLineAsync(line => line.Contains("TamTam interchange listening:", StringComparison.Ordinal), StartTimeout);
        await silo.StopAsync();

        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        Assert.Equal(2001, root.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal("TamTam.Silo", root.GetProperty("Category").GetString());
        Assert.StartsWith("TamTam interchange listening: tcp://", root.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("Timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture,
            out _));
        Assert.All(silo.Lines.Where(l => l.Length > 0), l => Assert.StartsWith("{", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_log_format_stops_the_start_with_a_message_naming_the_key()
    {
        await using var silo = SiloExecutable.Start("--TamTam:Logging:Format=xml");

        string line = await silo.WaitForLineAsync(line => line.Contains("TamTam:Logging:Format", StringComparison.Ordinal), StartTimeout);

        Assert.Contains("\"xml\"", line, StringComparison.Ordinal);
    }
}
