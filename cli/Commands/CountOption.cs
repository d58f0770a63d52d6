using System.CommandLine;

namespace TamTam.Cli.Commands;

/// <summary>The <c>--count</c> (<c>-c</c>) option of <c>listen</c>, <c>subscribe</c> and <c>ping</c>: absent, or at least 1.</summary>
internal static class CountOption
{
    public static Option<int?> Create(string description)
    {
        var count = new Option<int?>("--count", "-c") { Description = description };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--count must be at least 1");
            }
        });
        return count;
    }
}
