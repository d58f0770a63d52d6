using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>Binds <see cref="SiloOptions"/> and checks them before anything listens; failures name their key.</summary>
internal static class SiloOptionsReader
{
    private const int MaxPort = 65_535;

    /// <exception cref="OptionsValidationException">A value is out of range; the message names its key.</exception>
    /// <exception cref="InvalidOperationException">A value does not convert to its type, or a <c>TamTam:Cluster</c> key is unknown; the message names its key.</exception>
    public static SiloOptions Read(IConfiguration configuration, out ListenAddress listen)
    {
        var options = new SiloOptions();
        configuration.GetSection(SiloOptions.SectionName).Bind(options);

        // A misspelt cluster key would silently leave a default in place (a silo alone in its own cluster): refused.
        configuration.GetSection(SiloOptions.ClusterSettings.SectionName).Bind(new SiloOptions.ClusterSettings(), o => o.ErrorOnUnknownConfiguration = true);

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add("TamTam:DataPath must name a directory.");
        }

        CheckStorage(failures, options.Storage, configuration.GetSection(SiloOptions.StorageSettings.BlobSection));

        if (!ListenAddress.TryParse(options.Listen.Address, out listen))
        {
            failures.Add($"TamTam:Listen:Address must be \"localhost\", \"any\" or an IP address (got \"{options.Listen.Address}\").");
        }

        CheckPort(failures, "TamTam:Tcp:Port", options.Tcp.Port, 0);
        CheckPort(failures, "TamTam:Http:Port", options.Http.Port, 0);
        ClusterSettingsCheck.Check(failures, options, configuration);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SiloOptions.SectionName, typeof(SiloOptions), failures);
        }

        return options;
    }

    private static void CheckStorage(List<string> failures, SiloOptions.StorageSettings storage, IConfigurationSection blob)
    {
        if (!storage.IsBlob && !string.Equals(storage.Backend, SiloOptions.StorageSettings.Local, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"TamTam:Storage:Backend must be \"local\" or \"blob\" (got \"{storage.Backend}\").");
        }
        else if (storage.IsBlob && string.IsNullOrWhiteSpace(blob["ConnectionString"]) && string.IsNullOrWhiteSpace(blob["ServiceUri"]))
        {
            failures.Add("TamTam:Storage:Blob:ConnectionString (or TamTam:Storage:Blob:ServiceUri) must be set when TamTam:Storage:Backend is \"blob\".");
        }
    }

    internal static void CheckPort(List<string> failures, string key, int port, int min)
    {
        if (port < min || port > MaxPort)
        {
            failures.Add($"{key} must be {min} … {MaxPort} (got {port}).");
        }
    }
}
