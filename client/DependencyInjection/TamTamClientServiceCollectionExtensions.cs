using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TamTam.Client;
using TamTam.Client.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TamTam client in a service container.</summary>
public static class TamTamClientServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="TamTamClientOptions"/> are bound from by default.</summary>
    public const string DefaultSectionName = "TamTam:Client";

    /// <summary>
    /// Registers <see cref="TamTamClientFactory"/> (a singleton) and <see cref="TamTamClientOptions"/>, bound from the
    /// configuration section <paramref name="sectionName"/> (keys as the properties are named, e.g.
    /// <c>TamTam:Client:Uri</c>, <c>TamTam:Client:Reconnect:MaxAttempts</c>) when an <see cref="IConfiguration"/> is
    /// in the container, then adjusted by <paramref name="configure"/>. The options are checked when first used and
    /// a bad value throws <see cref="OptionsValidationException"/> naming the property.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="configure">Adjusts the bound options, e.g. <c>o => o with { ClientName = "billing/2.3" }</c>; may be null.</param>
    /// <param name="sectionName">The configuration section to bind.</param>
    /// <example>
    /// <code>
    /// builder.Services.AddTamTamClient();           // appsettings.json: { "TamTam": { "Client": { "Uri": "tamtam://interchange:7420" } } }
    /// await using TamTamClient client = await app.Services.GetRequiredService&lt;TamTamClientFactory&gt;().ConnectAsync();
    /// </code>
    /// </example>
    public static IServiceCollection AddTamTamClient(this IServiceCollection services, Func<TamTamClientOptions, TamTamClientOptions>? configure = null,
        string sectionName = DefaultSectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);

        services.AddOptions();
        services.TryAddSingleton<IOptionsFactory<TamTamClientOptions>>(provider => new BoundOptionsFactory(
            provider.GetService<IConfiguration>()?.GetSection(sectionName), configure));
        services.TryAddSingleton<TamTamClientFactory>();
        return services;
    }

    /// <summary>Options are records with init-only properties: bound and adjusted into a new value rather than mutated.</summary>
    private sealed class BoundOptionsFactory(IConfigurationSection? section, Func<TamTamClientOptions, TamTamClientOptions>? configure)
        : IOptionsFactory<TamTamClientOptions>
    {
        public TamTamClientOptions Create(string name)
        {
            var options = new TamTamClientOptions();
            section?.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            if (configure is not null)
            {
                options = configure(options) ?? throw new InvalidOperationException("The AddTamTamClient callback returned null.");
            }

            try
            {
                options.Validate();
            }
            catch (ArgumentException exception)
            {
                throw new OptionsValidationException(name, typeof(TamTamClientOptions), [$"{section?.Path ?? DefaultSectionName}: {exception.Message}"]);
            }

            return options;
        }
    }
}
