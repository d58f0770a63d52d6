using Microsoft.Extensions.Options;

namespace TamTam.Storage.Blob;

/// <summary>
/// Validates <see cref="BlobStorageOptions"/>. Registered with <c>ValidateOnStart</c>, so a missing or bad
/// value stops the host at start with a message naming the key, instead of failing on the first write.
/// </summary>
public sealed class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    /// <summary>The smallest segment size accepted: 4 KiB.</summary>
    public const long MinSegmentSizeBytes = 4 * 1024;

    /// <summary>The smallest read buffer accepted: 4 KiB.</summary>
    public const int MinReadBufferBytes = 4 * 1024;

    /// <summary>The shortest lease the service grants.</summary>
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>The longest finite lease the service grants.</summary>
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromSeconds(60);

    private const int MinContainerNameLength = 3;
    private const int MaxContainerNameLength = 63;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = string.IsNullOrEmpty(name) ? nameof(BlobStorageOptions) : $"{nameof(BlobStorageOptions)}[{name}]";

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (options.ServiceUri is null)
            {
                failures.Add($"{prefix}.{nameof(BlobStorageOptions.ConnectionString)} or {prefix}.{nameof(BlobStorageOptions.ServiceUri)} is required: the storage account to use (for Azurite, \"UseDevelopmentStorage=true\").");
            }
            else if (!options.ServiceUri.IsAbsoluteUri || (options.ServiceUri.Scheme != Uri.UriSchemeHttps && options.ServiceUri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{prefix}.{nameof(BlobStorageOptions.ServiceUri)} must be an absolute http(s) URI such as https://myaccount.blob.core.windows.net; it is \"{options.ServiceUri}\".");
            }
        }

        if (!IsValidContainerName(options.ContainerName))
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.ContainerName)} must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit; it is \"{options.ContainerName}\".");
        }

        if (options.SegmentSizeBytes < MinSegmentSizeBytes)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.SegmentSizeBytes)} must be at least {MinSegmentSizeBytes}; it is {options.SegmentSizeBytes}.");
        }

        if (options.SegmentMaxBlocks is < 1 or > BlobStorageOptions.MaxBlocksPerAppendBlob)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.SegmentMaxBlocks)} must be 1 to {BlobStorageOptions.MaxBlocksPerAppendBlob}; it is {options.SegmentMaxBlocks}.");
        }

        if (options.ReadBufferBytes < MinReadBufferBytes)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.ReadBufferBytes)} must be at least {MinReadBufferBytes}; it is {options.ReadBufferBytes}.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.MaxRetries)} must be 0 to 10; it is {options.MaxRetries}.");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.RetryDelay)} must be positive and at most {nameof(BlobStorageOptions.MaxRetryDelay)}; they are {options.RetryDelay} and {options.MaxRetryDelay}.");
        }

        if (options.NetworkTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.NetworkTimeout)} must be at least 00:00:01; it is {options.NetworkTimeout}.");
        }

        if (options.LeaseWait < TimeSpan.Zero || options.LeaseWait > MaxLeaseDuration)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.LeaseWait)} must be 00:00:00 to {MaxLeaseDuration}; it is {options.LeaseWait}.");
        }

        if (options.LeaseDuration < MinLeaseDuration || options.LeaseDuration > MaxLeaseDuration)
        {
            failures.Add($"{prefix}.{nameof(BlobStorageOptions.LeaseDuration)} must be {MinLeaseDuration} to {MaxLeaseDuration}; it is {options.LeaseDuration}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> if <paramref name="options"/> are invalid.</summary>
    public static void ThrowIfInvalid(BlobStorageOptions options, string? name = null)
    {
        var result = new BlobStorageOptionsValidator().Validate(name, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(name ?? Options.DefaultName, typeof(BlobStorageOptions), result.Failures);
        }
    }

    private static bool IsValidContainerName(string? name)
    {
        if (name is null || name.Length < MinContainerNameLength || name.Length > MaxContainerNameLength || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var valid = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && name[i - 1] != '-');
            if (!valid)
            {
                return false;
            }
        }

        return true;
    }
}
