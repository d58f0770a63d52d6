using Microsoft.Extensions.Options;

namespace TamTam.Grains.Interchange.Internal;

/// <summary>Checks <see cref="InterchangeOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class InterchangeOptionsValidator : IValidateOptions<InterchangeOptions>
{
    public ValidateOptionsResult Validate(string? name, InterchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DefaultTtl is < 1 or > 255)
        {
            failures.Add($"{InterchangeOptions.Section}:{nameof(options.DefaultTtl)} must be 1 … 255, not {options.DefaultTtl}");
        }

        if (options.Policy is not (InterchangeOptions.DirectWhenKnown or InterchangeOptions.RingFirst))
        {
            failures.Add($"{InterchangeOptions.Section}:{nameof(options.Policy)} must be \"{InterchangeOptions.DirectWhenKnown}\" or " +
                $"\"{InterchangeOptions.RingFirst}\", not \"{options.Policy}\"");
        }

        Positive(failures, nameof(options.RouteLifetime), options.RouteLifetime);
        Positive(failures, nameof(options.OfferRetry), options.OfferRetry);
        Positive(failures, nameof(options.OfferTimeout), options.OfferTimeout);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{InterchangeOptions.Section}:{key} must be positive, not {value}");
        }
    }
}
