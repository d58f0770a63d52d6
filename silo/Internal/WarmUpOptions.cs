using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>
/// The silo's warm-up before its listeners open (<see cref="WarmUpService"/>), bound from <c>TamTam:WarmUp</c>. The
/// reasons and the figures are in silo/README.md, "Warm-up".
/// </summary>
internal sealed record WarmUpOptions
{
    public const string SectionName = "TamTam:WarmUp";

    /// <summary>The most <see cref="Messages"/> may be.</summary>
    public const int MaxMessages = 10_000_000;

    /// <summary>
    /// <c>TamTam:WarmUp:Messages</c>: how many acknowledged messages the silo sends itself, through its in-memory
    /// gateway and a link of its own, after it joined the cluster and before its listeners open. 0 (the default) turns the
    /// warm-up off; the container image sets 200,000.
    /// </summary>
    public int Messages { get; set; }

    /// <summary>
    /// <c>TamTam:WarmUp:Timeout</c>: the bound on the whole warm-up; what is not done by then is given up, and the silo
    /// opens its listeners anyway. 60 s by default.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Checks <see cref="WarmUpOptions"/> at start; every failure names its key.</summary>
internal sealed class WarmUpOptionsValidator : IValidateOptions<WarmUpOptions>
{
    public ValidateOptionsResult Validate(string? name, WarmUpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Messages is < 0 or > WarmUpOptions.MaxMessages)
        {
            failures.Add($"{WarmUpOptions.SectionName}:{nameof(options.Messages)} must be 0 (no warm-up) to {WarmUpOptions.MaxMessages} (got {options.Messages}).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{WarmUpOptions.SectionName}:{nameof(options.Timeout)} must be positive (got {options.Timeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
