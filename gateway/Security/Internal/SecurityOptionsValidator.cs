using Microsoft.Extensions.Options;

namespace TamTam.Gateway.Security.Internal;

/// <summary>Checks <see cref="SecurityOptions"/> at start; every failure names its key and none repeats a secret.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach ((string keyId, string? key) in options.Keys)
        {
            string setting = $"{SecurityOptions.SectionName}:Keys:{keyId}";
            if (!ClaimRules.IsKeyId(keyId))
            {
                failures.Add($"{setting}: a key id is {ClaimRules.KeyIdRule}.");
                continue;
            }

            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(key?.Trim() ?? string.Empty);
            }
            catch (FormatException)
            {
                failures.Add($"{setting} must be standard base64 (the value is not shown).");
                continue;
            }

            if (decoded.Length < ClaimRules.MinKeyBytes)
            {
                failures.Add($"{setting} must decode to at least {ClaimRules.MinKeyBytes} bytes (it has {decoded.Length}); `openssl rand -base64 32` makes one.");
            }
        }

        if (!options.AllowAnonymous && options.Keys.Count == 0)
        {
            failures.Add($"{SecurityOptions.SectionName}:AllowAnonymous is false, so {SecurityOptions.SectionName}:Keys needs at least one key: no session could open.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
