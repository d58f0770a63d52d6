using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace TamTam.EndToEnd.Tests.Diagnostics;

/// <summary>
/// docs/architecture.md "Log event ids" is the one registry of event ids: every [LoggerMessage] of the product's
/// assemblies sits in a class the table lists, inside that class's range, and no id is used twice.
/// </summary>
public sealed partial class EventIdRegistryTests
{
    [Fact]
    public void Every_log_event_id_is_unique_and_inside_its_area_s_range()
    {
        Dictionary<string, (int From, int To)> ranges = RegisteredRanges();
        var owners = new Dictionary<int, string>();
        var problems = new List<string>();
        int events = 0;
        foreach (Assembly assembly in ProductAssemblies())
        {
            foreach (Type type in assembly.GetTypes())
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    LoggerMessageAttribute? attribute = method.GetCustomAttribute<LoggerMessageAttribute>();
                    if (attribute is null)
                    {
                        continue;
                    }

                    events++;
                    string where = $"{type.FullName}.{method.Name}";
                    int id = attribute.EventId;
                    if (!ranges.TryGetValue(type.FullName!, out (int From, int To) range))
                    {
                        problems.Add($"{where} ({id}): its class is not in the table");
                    }
                    else if (id < range.From || id > range.To)
                    {
                        problems.Add($"{where} ({id}): outside {range.From}–{range.To}");
                    }

                    if (!owners.TryAdd(id, where))
                    {
                        problems.Add($"{where} ({id}): the id is also {owners[id]}'s");
                    }
                }
            }
        }

        Assert.True(events > 50, $"only {events} log events found: are the assemblies loaded?");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<Assembly> ProductAssemblies()
    {
        string[] names = ["TamTam.Protocol", "TamTam.Diagnostics", "TamTam.Security", "TamTam.Interfaces", "TamTam.Storage.Abstractions", "TamTam.Storage",
            "TamTam.Grains", "TamTam.Gateway", "tamtam-silo", "TamTam.Client", "tamtam"];
        foreach (string name in names)
        {
            yield return Assembly.Load(new AssemblyName(name));
        }
    }

    private static Dictionary<string, (int From, int To)> RegisteredRanges()
    {
        string architecture = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        int section = architecture.IndexOf("\n## Log event ids\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "docs/architecture.md has no \"Log event ids\" section");
        var ranges = new Dictionary<string, (int From, int To)>(StringComparer.Ordinal);
        foreach (Match row in RangeRow().Matches(architecture[section..]))
        {
            ranges.Add(row.Groups["class"].Value, (int.Parse(row.Groups["from"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(row.Groups["to"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.NotEmpty(ranges);
        return ranges;
    }

    [GeneratedRegex(@"^\| (?<from>\d+)–(?<to>\d+) \| [^|]+ \| `(?<class>[A-Za-z.]+)` \|$", RegexOptions.Multiline)]
    private static partial Regex RangeRow();

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TamTam.Cloud.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no TamTam.Cloud.sln above {AppContext.BaseDirectory}");
    }
}
