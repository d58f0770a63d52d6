using System.CommandLine;

namespace TamTam.Cli.Commands;

/// <summary>An option whose value is a <see cref="Duration"/>: <c>500ms</c>, <c>30s</c>, <c>5m</c>.</summary>
internal static class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue, params string[] aliases)
    {
        return new Option<TimeSpan>(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string token = result.Tokens[0].Value;
                if (Duration.TryParse(token, out TimeSpan value))
                {
                    return value;
                }

                result.AddError($"{name} \"{token}\" is not a duration such as 30s, 500ms or 5m");
                return default;
            },
        };
    }
}
