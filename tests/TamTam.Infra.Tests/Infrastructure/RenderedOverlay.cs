using System.Text;
using k8s;
using k8s.Models;

namespace TamTam.Infra.Tests.Infrastructure;

/// <summary>One overlay as <c>kubectl kustomize</c> renders it, read into KubernetesClient's typed models.</summary>
internal sealed class RenderedOverlay
{
    private RenderedOverlay(string name, string yaml, IReadOnlyList<object> objects)
    {
        Name = name;
        Yaml = yaml;
        Objects = objects;
    }

    public string Name { get; }

    public string Yaml { get; }

    public IReadOnlyList<object> Objects { get; }

    public V1StatefulSet StatefulSet => Single<V1StatefulSet>();

    public V1Container Silo => StatefulSet.Spec.Template.Spec.Containers.Single(c => c.Name == "silo");

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>() => Assert.Single(All<T>());

    public T Named<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name) ?? throw new InvalidOperationException($"{Name}: no {typeof(T).Name} named {name}.");

    /// <summary>Renders infra/k8s/overlays/<paramref name="overlay"/> with the kubectl on PATH.</summary>
    public static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        string kubectl = Tool.Require("kubectl",
            "install kubectl 1.27 or later (its kustomize v5 renders these overlays; Debian's kubernetes-client 1.20 is too old)");
        Tool.Result result = await Tool.RunAsync(kubectl, ["kustomize", Path.Combine(Repository.Kubernetes, "overlays", overlay)]);
        Assert.True(result.ExitCode == 0, result.Describe($"kubectl kustomize infra/k8s/overlays/{overlay}"));
        return new RenderedOverlay(overlay, result.Output, KubernetesYaml.LoadAllFromString(result.Output));
    }

    /// <summary>
    /// The silo container's environment as the pod gets it: the config maps and secrets of its <c>envFrom</c> in order,
    /// then its own <c>env</c> (values only; the downward API's are listed in <paramref name="fromFields"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment(out IReadOnlyDictionary<string, string> fromFields)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (V1EnvFromSource source in Silo.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } configMap)
            {
                foreach ((string key, string value) in Named<V1ConfigMap>(configMap.Name).Data)
                {
                    environment[key] = value;
                }
            }

            if (source.SecretRef is { } secret)
            {
                V1Secret rendered = Named<V1Secret>(secret.Name);
                foreach ((string key, byte[] value) in rendered.Data ?? new Dictionary<string, byte[]>())
                {
                    environment[key] = Encoding.UTF8.GetString(value);
                }

                foreach ((string key, string value) in rendered.StringData ?? new Dictionary<string, string>())
                {
                    environment[key] = value;
                }
            }
        }

        foreach (V1EnvVar variable in Silo.Env ?? [])
        {
            if (variable.ValueFrom?.FieldRef is { } field)
            {
                fields[variable.Name] = field.FieldPath;
            }
            else
            {
                Assert.True(variable.ValueFrom is null, $"{Name}: {variable.Name} comes from a source these tests do not read.");
                environment[variable.Name] = variable.Value ?? string.Empty;
            }
        }

        fromFields = fields;
        return environment;
    }

    /// <summary>
    /// The silo as these settings build it, with the files of the pod's secret volume (the TLS certificate) made in a
    /// temporary directory: <see cref="SiloConfiguration.Build"/>.
    /// </summary>
    public SiloConfiguration BuildSilo()
    {
        HashSet<string> secretVolumes = [.. StatefulSet.Spec.Template.Spec.Volumes.Where(v => v.Secret is not null).Select(v => v.Name)];
        V1VolumeMount? secret = Silo.VolumeMounts.SingleOrDefault(m => secretVolumes.Contains(m.Name));
        return SiloConfiguration.Build(Settings(), secret?.MountPath);
    }

    /// <summary>The <c>TamTam</c> settings of <see cref="Environment"/>, as configuration keys (<c>TamTam:A:B</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings() =>
        Environment(out _).Where(e => SiloSettings.IsTamTamVariable(e.Key)).ToDictionary(e => SiloSettings.KeyOf(e.Key), e => e.Value, StringComparer.OrdinalIgnoreCase);
}
