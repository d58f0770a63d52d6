using System.Globalization;
using System.Text.RegularExpressions;

namespace TamTam.Protocol.Tests;

/// <summary>
/// The names the SDK, the CLI and the logs print for error codes and final states come from the protocol assembly,
/// and they are the names docs/protocol.md gives: section 8's table of errors and section 5.14's table of states.
/// </summary>
public sealed partial class WireNameTests
{
    [Fact]
    public void Every_error_code_has_the_name_the_specification_gives_it()
    {
        Dictionary<int, string> specified = Table(ErrorRow());
        ErrorCode[] codes = [.. Enum.GetValues<ErrorCode>().Where(c => c != ErrorCode.None)];

        Assert.Equal(specified.Count, codes.Length);
        foreach (ErrorCode code in codes)
        {
            Assert.Equal(specified[(ushort)code], code.WireName());
        }

        Assert.Equal("NONE", ErrorCode.None.WireName());
        Assert.Equal("UNKNOWN", ((ErrorCode)999).WireName());
    }

    [Fact]
    public void Every_final_state_has_the_name_the_specification_gives_it()
    {
        Dictionary<int, string> specified = Table(StateRow());
        FinalState[] states = Enum.GetValues<FinalState>();

        Assert.Equal(specified.Count, states.Length);
        foreach (FinalState state in states)
        {
            Assert.Equal(specified[(byte)state], state.WireName());
        }

        Assert.Equal("STATE_42", ((FinalState)42).WireName());
    }

    private static Dictionary<int, string> Table(Regex row)
    {
        string spec = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "protocol.md"));
        return row.Matches(spec).ToDictionary(m => int.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture), m => m.Groups["name"].Value);
    }

    // "| 302 | QUOTA_EXCEEDED | no | …": code, name, fatal, meaning.
    [GeneratedRegex(@"^\| (?<value>[1-5]\d\d) \| (?<name>[A-Z][A-Z0-9_]+) \| (yes|no)¹? \|", RegexOptions.Multiline)]
    private static partial Regex ErrorRow();

    // "| 5 | NO_ROUTE | …": state, name, meaning.
    [GeneratedRegex(@"^\| (?<value>[1-9]) \| (?<name>[A-Z][A-Z_]+) \| [a-z]", RegexOptions.Multiline)]
    private static partial Regex StateRow();
}
