using Microsoft.Extensions.Options;

namespace TamTam.Storage.Local;

/// <summary>
/// Validates <see cref="LocalStorageOptions"/>. Registered with <c>ValidateOnStart</c>, so a bad value
/// stops the host at start with a message naming the key, instead of failing on the first write.
/// </summary>
public sealed class LocalStorageOptionsValidator : IValidateOptions<LocalStorageOptions>
{
    /// <summary>The smallest segment size accepted: 4 KiB.</summary>
    public const long MinSegmentSizeBytes = 4 * 1024;

    /// <summary>The smallest read buffer accepted: 4 KiB.</summary>
    public const int MinReadBufferBytes = 4 * 1024;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LocalStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = string.IsNullOrEmpty(name) ? nameof(LocalStorageOptions) : $"{nameof(LocalStorageOptions)}[{name}]";

        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            failures.Add($"{prefix}.{nameof(LocalStorageOptions.RootPath)} is required: the directory that holds the data (default \"data\").");
        }
        else if (options.RootPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{prefix}.{nameof(LocalStorageOptions.RootPath)} contains characters that are not valid in a path: \"{options.RootPath}\".");
        }

        if (options.SegmentSizeBytes < MinSegmentSizeBytes)
        {
            failures.Add($"{prefix}.{nameof(LocalStorageOptions.SegmentSizeBytes)} must be at least {MinSegmentSizeBytes}; it is {options.SegmentSizeBytes}.");
        }

        if (options.ReadBufferBytes < MinReadBufferBytes)
        {
            failures.Add($"{prefix}.{nameof(LocalStorageOptions.ReadBufferBytes)} must be at least {MinReadBufferBytes}; it is {options.ReadBufferBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> if <paramref name="options"/> are invalid.</summary>
    public static void ThrowIfInvalid(LocalStorageOptions options, string? name = null)
    {
        var result = new LocalStorageOptionsValidator().Validate(name, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(name ?? Options.DefaultName, typeof(LocalStorageOptions), result.Failures);
        }
    }
}
