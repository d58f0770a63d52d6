namespace TamTam.Gateway.Tests.Telemetry;

/// <summary>A row of docs/metrics.md's table: the instrument's name, type (as the table words it) and unit.</summary>
internal sealed record MetricRow(string Name, string Type, string Unit)
{
    /// <summary>The name OpenTelemetry's Prometheus exporter gives it: dots to underscores, the unit as a suffix, <c>_total</c> on counters.</summary>
    public string PrometheusName
    {
        get
        {
            string name = Name.Replace('.', '_');
            string unit = Unit switch
            {
                "By" => "bytes",
                "s" => "seconds",
                "ms" => "milliseconds",
                "1" => "ratio",
                _ when Unit.StartsWith('{') => string.Empty,
                _ => Unit,
            };
            if (unit.Length > 0 && !name.EndsWith($"_{unit}", StringComparison.Ordinal))
            {
                name += $"_{unit}";
            }

            return Type is "counter" or "observable counter" ? $"{name}_total" : name;
        }
    }

    /// <summary>The <c># TYPE</c> a scrape shows for it.</summary>
    public string PrometheusType => Type switch
    {
        "counter" or "observable counter" => "counter",
        "histogram" => "histogram",
        _ => "gauge",
    };
}

/// <summary>Reads docs/metrics.md's table of TamTam instruments and finds the production sources.</summary>
internal static class MetricsTable
{
    public static string RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "TamTam.Cloud.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No TamTam.Cloud.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The section whose table lists the instruments.</summary>
    public const string Section = "## TamTam's instruments";

    /// <summary>The rows of <see cref="Section"/>'s table whose name starts with <c>tamtam.</c>, keyed by name.</summary>
    public static IReadOnlyDictionary<string, MetricRow> Read()
    {
        var rows = new Dictionary<string, MetricRow>(StringComparer.Ordinal);
        bool inSection = false;
        foreach (string line in File.ReadLines(Path.Combine(RepositoryRoot, "docs", "metrics.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inSection = line == Section;
            }

            if (!inSection || !line.StartsWith("| `tamtam.", StringComparison.Ordinal))
            {
                continue;
            }

            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            string name = cells[1].Trim('`');
            Assert.False(rows.ContainsKey(name), $"{name} has two rows in docs/metrics.md");
            rows[name] = new MetricRow(name, cells[2], cells[3].Trim('`'));
        }

        return rows;
    }

    /// <summary>The C# files of the production projects (not tests, not benchmarks, not build output).</summary>
    public static IEnumerable<string> ProductionSources()
    {
        foreach (string project in new[] { "protocol", "interfaces", "grains", "gateway", "storage", "silo", "diagnostics", "security", "client" })
        {
            string folder = Path.Combine(RepositoryRoot, project);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(folder, file);
                if (!relative.StartsWith("bin", StringComparison.Ordinal) && !relative.StartsWith("obj", StringComparison.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>The table's word for an instrument kind of <c>Meter.Create…</c>.</summary>
    public static string TypeOf(string kind) => kind switch
    {
        "Counter" => "counter",
        "UpDownCounter" => "up-down counter",
        "Histogram" => "histogram",
        "Gauge" => "gauge",
        "ObservableCounter" => "observable counter",
        "ObservableUpDownCounter" => "observable up-down counter",
        _ => "observable gauge",
    };
}
