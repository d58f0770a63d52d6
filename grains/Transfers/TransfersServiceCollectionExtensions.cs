using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TamTam.Grains.Transfers.Internal;

namespace TamTam.Grains.Transfers;

/// <summary>Registers parted transfers' settings and their wake-up at start in a silo's services.</summary>
public static class TransfersServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TransferOptions"/>, bound from <c>TamTam:Transfers</c> when <paramref name="configuration"/> is
    /// given and validated at start (an unknown key or a value out of its range stops the host from starting, with a
    /// message that names the key), and <see cref="TransferWakeUp"/>, which wakes the live transfers when the silo
    /// starts so that their deadlines are watched after a restart. The payloads live in the
    /// <see cref="Storage.Payloads.IPayloadStore"/> the storage backend registers.
    /// </summary>
    public static IServiceCollection AddTamTamTransfers(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<TransferOptions> options = services.AddOptions<TransferOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(TransferOptions.Section), binder => binder.ErrorOnUnknownConfiguration = true);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransferOptions>, TransferOptionsValidator>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TransferWakeUp>();
        return services;
    }
}
