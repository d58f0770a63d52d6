using Microsoft.Extensions.Options;

namespace TamTam.Grains.Links.Internal;

/// <summary>Checks <see cref="OrchestratorOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class OrchestratorOptionsValidator : IValidateOptions<OrchestratorOptions>
{
    public ValidateOptionsResult Validate(string? name, OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        AtLeastOne(failures, nameof(options.MaxInboxMessages), options.MaxInboxMessages);
        AtLeastOne(failures, nameof(options.MaxInboxBytes), options.MaxInboxBytes);
        AtLeastOne(failures, nameof(options.MaxMessageBytes), options.MaxMessageBytes);
        AtLeastOne(failures, nameof(options.DeliveryWindow), options.DeliveryWindow);
        AtLeastOne(failures, nameof(options.MaxAttempts), options.MaxAttempts);
        AtLeastOne(failures, nameof(options.CompactionRecords), options.CompactionRecords);
        Positive(failures, nameof(options.AckTimeout), options.AckTimeout);
        // A DefaultTtl of 00:00:00 is documented: messages sent with ttl 0 then never expire.
        NotNegative(failures, nameof(options.DefaultTtl), options.DefaultTtl);
        Positive(failures, nameof(options.TimerPeriod), options.TimerPeriod);
        NotNegative(failures, nameof(options.DuplicateWindow), options.DuplicateWindow);
        AtLeastZero(failures, nameof(options.DuplicateWindowIds), options.DuplicateWindowIds);
        Positive(failures, nameof(options.LedgerRetention), options.LedgerRetention);
        Positive(failures, nameof(options.StorageProbeDelay), options.StorageProbeDelay);
        NotNegative(failures, nameof(options.StorageProbeMaxDelay), options.StorageProbeMaxDelay);
        NotNegative(failures, nameof(options.RelinkTimeout), options.RelinkTimeout);
        NotNegative(failures, nameof(options.TransferAckTimeoutPerMiB), options.TransferAckTimeoutPerMiB);
        if (options.RetryDelays is { } delays)
        {
            for (int i = 0; i < delays.Count; i++)
            {
                NotNegative(failures, $"{nameof(options.RetryDelays)}:{i}", delays[i]);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeastZero(List<string> failures, string key, long value)
    {
        if (value < 0)
        {
            failures.Add(Fail(key, "must be 0 or more", value));
        }
    }

    private static void AtLeastOne(List<string> failures, string key, long value)
    {
        if (value < 1)
        {
            failures.Add(Fail(key, "must be at least 1", value));
        }
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add(Fail(key, "must be more than 00:00:00", value));
        }
    }

    private static void NotNegative(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add(Fail(key, "must be 00:00:00 or more", value));
        }
    }

    private static string Fail(string key, string rule, object value) => $"{OrchestratorOptions.Section}:{key} {rule} (got {value}).";
}
