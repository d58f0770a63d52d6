using System.Collections;
using System.Reflection;
using TamTam.Gateway;
using TamTam.Gateway.Security;
using TamTam.Grains.Links;
using TamTam.Grains.Transfers;
using TamTam.Silo;
using TamTam.Silo.Telemetry;
using TamTam.Storage.Blob;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>
/// Whether a configuration key is one the silo reads. The silo refuses unknown keys only in some sections
/// (<c>TamTam:Cluster</c>, <c>Gateway</c>, <c>Security</c>, <c>Links</c>, <c>Transfers</c>, <c>Shutdown</c>, <c>WarmUp</c>,
/// <c>Telemetry</c>); under <c>TamTam</c> itself and <c>TamTam:Storage:Blob</c> a misspelt key is ignored. So a key
/// is held against the options types the silo binds each section to: it must name a bindable property path.
/// </summary>
internal static class SiloSettings
{
    /// <summary>The prefix of the environment variables that set <c>TamTam</c> keys (<c>TamTam__A__B</c> is <c>TamTam:A:B</c>).</summary>
    public const string EnvironmentPrefix = "TamTam__";

    // Longest section first: a key belongs to the first section it starts with.
    private static readonly (string Section, Type Options)[] Sections =
    [
        ("TamTam:Storage:Blob", typeof(BlobStorageOptions)),
        (GatewayOptions.SectionName, typeof(GatewayOptions)),
        (SecurityOptions.SectionName, typeof(SecurityOptions)),
        (OrchestratorOptions.Section, typeof(OrchestratorOptions)),
        (TransferOptions.Section, typeof(TransferOptions)),
        (TelemetryOptions.SectionName, typeof(TelemetryOptions)),
        ("TamTam:Shutdown", typeof(TamTamSilo).Assembly.GetType("TamTam.Silo.Internal.DrainOptions", throwOnError: true)!),
        ("TamTam:WarmUp", typeof(TamTamSilo).Assembly.GetType("TamTam.Silo.Internal.WarmUpOptions", throwOnError: true)!),
        (SiloOptions.SectionName, typeof(SiloOptions)),
    ];

    /// <summary>True when <paramref name="variable"/> sets a <c>TamTam</c> key (any letter case, as .NET reads it).</summary>
    public static bool IsTamTamVariable(string variable) => variable.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>TamTam__A__B</c> → <c>TamTam:A:B</c>.</summary>
    public static string KeyOf(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>Why <paramref name="key"/> is not a silo setting, or null when it is.</summary>
    public static string? Unknown(string key)
    {
        if (string.Equals(key, TelemetryOptions.LogFormatKey, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach ((string section, Type options) in Sections)
        {
            if (key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
            {
                string[] path = key[(section.Length + 1)..].Split(':');
                return Bindable(options, path) ? null : $"{key} is not a setting: {options.Name} has no bindable {string.Join(':', path)}";
            }
        }

        return $"{key} is outside the TamTam section";
    }

    private static bool Bindable(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return !IsLeaf(type);
        }

        PropertyInfo? property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || property.GetIndexParameters().Length > 0)
        {
            return false;
        }

        Type value = property.PropertyType;
        bool collection = value != typeof(string) && typeof(IEnumerable).IsAssignableFrom(value);

        // The binder sets writable properties and fills get-only collections and objects; computed values (IsBlob) are read-only leaves.
        if (!property.CanWrite && (IsLeaf(value) || (!collection && value.IsValueType)))
        {
            return false;
        }

        return Walk(value, path[1..]);
    }

    private static bool Walk(Type value, ReadOnlySpan<string> rest)
    {
        if (IsLeaf(value))
        {
            return rest.IsEmpty;
        }

        if (value.IsAbstract || value.IsInterface && !IsCollection(value))
        {
            // A credential and the like: set in code, never bound.
            return false;
        }

        if (Dictionary(value) is { } dictionaryValue)
        {
            return rest.Length >= 1 && Walk(dictionaryValue, rest[1..]);
        }

        if (Element(value) is { } element)
        {
            return rest.Length >= 1 && int.TryParse(rest[0], out int index) && index >= 0 && Walk(element, rest[1..]);
        }

        return !rest.IsEmpty && Bindable(value, rest);
    }

    private static bool IsLeaf(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(Uri)
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Guid);
    }

    private static bool IsCollection(Type type) => typeof(IEnumerable).IsAssignableFrom(type);

    private static Type? Dictionary(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
