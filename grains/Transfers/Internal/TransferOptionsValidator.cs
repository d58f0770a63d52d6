using Microsoft.Extensions.Options;

namespace TamTam.Grains.Transfers.Internal;

/// <summary>Checks <see cref="TransferOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class TransferOptionsValidator : IValidateOptions<TransferOptions>
{
    public ValidateOptionsResult Validate(string? name, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(failures, nameof(options.StagingTimeout), options.StagingTimeout);
        Positive(failures, nameof(options.TimerPeriod), options.TimerPeriod);
        NotNegative(failures, nameof(options.DefaultTtl), options.DefaultTtl); // 00:00:00: no deadline, as the links'
        NotNegative(failures, nameof(options.ProgressWriteInterval), options.ProgressWriteInterval);
        NotNegative(failures, nameof(options.CleanupGrace), options.CleanupGrace);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{TransferOptions.Section}:{key} must be more than 00:00:00 (got {value}).");
        }
    }

    private static void NotNegative(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{TransferOptions.Section}:{key} must be 00:00:00 or more (got {value}).");
        }
    }
}
