using System.Net;
using Azure.Identity;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using TamTam.Infra.Tests.Infrastructure;
using TamTam.Silo;
using TamTam.Storage.Blob;

namespace TamTam.Infra.Tests.Kubernetes;

/// <summary>The rendered manifests held against the real silo: its settings, ports, health endpoints, drain and RBAC.</summary>
public sealed class ManifestsMatchSiloTests
{
    /// <summary>Variables other than TamTam settings that the pod gets, each read by Orleans' Kubernetes hosting or .NET.</summary>
    private static readonly Dictionary<string, string> DownwardApi = new()
    {
        ["POD_NAME"] = "metadata.name",
        ["POD_NAMESPACE"] = "metadata.namespace",
        ["POD_IP"] = "status.podIP",
    };

    public static TheoryData<string> Overlays => [.. Repository.Overlays()];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_TamTam_variable_is_a_real_silo_setting_the_silo_accepts(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        IReadOnlyDictionary<string, string> settings = rendered.Settings();

        Assert.NotEmpty(settings);
        Assert.All(settings.Keys, key => Assert.Null(SiloSettings.Unknown(key)));

        // The silo's own reading: values in range, modes it knows, strict sections without unknown keys.
        await using SiloConfiguration silo = rendered.BuildSilo();
        Assert.Equal("any", silo.Options.Listen.Address);

        // Whatever else the container gets is the downward API or TMPDIR, nothing the silo would ignore.
        IReadOnlyDictionary<string, string> environment = rendered.Environment(out IReadOnlyDictionary<string, string> fields);
        Assert.Equal(DownwardApi.OrderBy(f => f.Key), fields.OrderBy(f => f.Key));
        Assert.Equal(["TMPDIR"], environment.Keys.Where(k => !SiloSettings.IsTamTamVariable(k)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Container_ports_and_services_are_the_ports_the_silo_binds(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        await using SiloConfiguration silo = rendered.BuildSilo();
        SiloOptions options = silo.Options;

        Dictionary<string, int> ports = rendered.Silo.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(new Dictionary<string, int>
        {
            ["wire"] = options.Tcp.Port,
            ["http"] = options.Http.Port,
            ["silo"] = options.Cluster.SiloPort,
            ["gateway"] = options.Cluster.GatewayPort,
        }, ports);

        V1Service clients = rendered.Named<V1Service>("tamtam");
        Assert.Equal(["http", "wire"], clients.Spec.Ports.Select(p => p.TargetPort.Value).Order());
        Assert.Equal([7420, 7480], clients.Spec.Ports.Select(p => p.Port).Order());

        V1Service silos = rendered.Named<V1Service>("tamtam-silo");
        Assert.Equal("None", silos.Spec.ClusterIP);
        Assert.True(silos.Spec.PublishNotReadyAddresses, "joining silos are not ready yet and must still reach each other");
        Assert.Equal(["gateway", "silo"], silos.Spec.Ports.Select(p => p.TargetPort.Value).Order());
        Assert.Equal(silos.Metadata.Name, rendered.StatefulSet.Spec.ServiceName);

        IDictionary<string, string> podLabels = rendered.StatefulSet.Spec.Template.Metadata.Labels;
        foreach (V1Service service in rendered.All<V1Service>())
        {
            Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, podLabels[s.Key]));
        }

        Assert.All(rendered.Single<V1PodDisruptionBudget>().Spec.Selector.MatchLabels, s => Assert.Equal(s.Value, podLabels[s.Key]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Probes_ask_the_silo_health_endpoints_in_the_silo_scheme(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        await using SiloConfiguration silo = rendered.BuildSilo();
        V1Container container = rendered.Silo;
        string scheme = silo.Options.Tls.Enabled ? "HTTPS" : "HTTP";

        Assert.Equal("/healthz/live", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/healthz/live", container.StartupProbe.HttpGet.Path);
        Assert.Equal("/healthz/ready", container.ReadinessProbe.HttpGet.Path);
        foreach (V1Probe probe in new[] { container.LivenessProbe, container.StartupProbe, container.ReadinessProbe })
        {
            Assert.Equal("http", probe.HttpGet.Port.Value);
            Assert.Equal(scheme, probe.HttpGet.Scheme ?? "HTTP");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_pod_outlasts_the_silo_drain_and_leaves_the_endpoints_before_its_listeners_close(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        IReadOnlyDictionary<string, string> settings = rendered.Settings();
        await using SiloConfiguration silo = rendered.BuildSilo();

        // Kubernetes kills the process at the grace period: the silo's whole stop must end before it.
        long grace = rendered.StatefulSet.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30;
        Assert.InRange(silo.ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(grace - 1));

        // A draining silo answers not ready for Shutdown:Delay: long enough for the readiness probe to fail and the
        // Service to drop it before its listeners close.
        V1Probe readiness = rendered.Silo.ReadinessProbe;
        TimeSpan noticed = TimeSpan.FromSeconds((readiness.PeriodSeconds ?? 10) * (readiness.FailureThreshold ?? 3));
        TimeSpan delay = SiloConfiguration.Period(settings, "TamTam:Shutdown:Delay", TimeSpan.Zero);
        Assert.True(delay > noticed, $"{overlay}: TamTam:Shutdown:Delay {delay} does not outlast the readiness probe's {noticed}");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_startup_probe_waits_out_the_warm_up_before_the_listeners_open(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        IReadOnlyDictionary<string, string> settings = rendered.Settings();
        Assert.True(int.Parse(settings["TamTam:WarmUp:Messages"], System.Globalization.CultureInfo.InvariantCulture) > 0, $"{overlay}: no warm-up");

        // Nothing answers /healthz/live while the silo warms up (its listeners open after): the startup probe must allow
        // the warm-up's whole bound, and a few seconds for the start around it, before the liveness probe takes over.
        V1Probe startup = rendered.Silo.StartupProbe;
        TimeSpan allowed = TimeSpan.FromSeconds((startup.PeriodSeconds ?? 10) * (startup.FailureThreshold ?? 3));
        TimeSpan warmUp = SiloConfiguration.Period(settings, "TamTam:WarmUp:Timeout", TimeSpan.FromSeconds(60));
        Assert.True(allowed >= warmUp + TimeSpan.FromSeconds(20), $"{overlay}: the startup probe allows {allowed}, the warm-up may take {warmUp}");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_silo_pods_may_do_what_Orleans_Kubernetes_hosting_does(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        V1PodSpec pod = rendered.StatefulSet.Spec.Template.Spec;
        V1ServiceAccount account = rendered.Single<V1ServiceAccount>();
        Assert.Equal(account.Metadata.Name, pod.ServiceAccountName);
        Assert.NotEqual(false, account.AutomountServiceAccountToken);
        Assert.NotEqual(false, pod.AutomountServiceAccountToken);

        // It patches its own pod's labels, then lists and watches the silo pods (get for its own).
        V1Role role = rendered.Single<V1Role>();
        V1PolicyRule pods = Assert.Single(role.Rules, r => r.Resources.Contains("pods"));
        Assert.Contains(string.Empty, pods.ApiGroups);
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, pods.Verbs.ToHashSet());
        Assert.DoesNotContain("delete", pods.Verbs);

        V1RoleBinding binding = rendered.Single<V1RoleBinding>();
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Rbacv1Subject subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name, account.Metadata.NamespaceProperty),
            (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_silo_runs_unprivileged_on_a_read_only_root_with_its_data_and_temp_mounted(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        await using SiloConfiguration silo = rendered.BuildSilo();
        V1Container container = rendered.Silo;
        V1PodSpec pod = rendered.StatefulSet.Spec.Template.Spec;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);

        string[] mounts = [.. container.VolumeMounts.Where(m => m.ReadOnlyProperty != true).Select(m => m.MountPath)];
        Assert.Contains(silo.Options.DataPath, mounts);
        Assert.Contains(rendered.Environment(out _)["TMPDIR"], mounts);

        Assert.NotNull(container.Resources.Requests);
        Assert.True(container.Resources.Limits.ContainsKey("memory"), "a memory limit keeps one silo from starving its node");
    }

    [Theory]
    [InlineData("production")]
    [InlineData("aks")]
    public async Task Production_runs_three_or_more_silos_on_shared_storage_with_tokens_and_TLS(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        await using SiloConfiguration silo = rendered.BuildSilo();
        SiloOptions options = silo.Options;

        Assert.True(rendered.StatefulSet.Spec.Replicas >= 3);
        Assert.True(options.Storage.IsBlob);
        Assert.False(options.Cluster.IsLocalhost);
        Assert.True(options.Tls.Enabled);
        Assert.Equal("false", rendered.Settings()["TamTam:Security:AllowAnonymous"]);
        Assert.Contains(rendered.Settings().Keys, k => k.StartsWith("TamTam:Security:Keys:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("1", rendered.Single<V1PodDisruptionBudget>().Spec.MaxUnavailable.Value);
    }

    [Fact]
    public async Task Aks_reaches_storage_with_the_workload_identity_and_no_connection_string()
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync("aks");
        IReadOnlyDictionary<string, string> settings = rendered.Settings();
        await using SiloConfiguration silo = rendered.BuildSilo();

        Assert.DoesNotContain(settings.Keys, k => k.EndsWith(":ConnectionString", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(rendered.All<V1Secret>(), s => s.Metadata.Name.StartsWith("tamtam-storage", StringComparison.Ordinal));
        Assert.True(silo.Options.Cluster.IsAzureTable);

        // The webhook injects the identity into labelled pods of an annotated service account.
        Assert.Equal("true", rendered.StatefulSet.Spec.Template.Metadata.Labels["azure.workload.identity/use"]);
        Assert.True(Guid.TryParse(rendered.Single<V1ServiceAccount>().Metadata.Annotations["azure.workload.identity/client-id"], out _));

        // The silo's clients: a token credential for the blob service URI, the table client at its service URI.
        BlobStorageOptions blob = silo.Services.GetRequiredService<IOptionsMonitor<BlobStorageOptions>>().Get(Options.DefaultName);
        Assert.Equal(new Uri(settings["TamTam:Storage:Blob:ServiceUri"]), blob.ServiceUri);
        Assert.IsType<DefaultAzureCredential>(blob.Credential);
        AzureStorageClusteringOptions clustering = silo.Services.GetRequiredService<IOptions<AzureStorageClusteringOptions>>().Value;
        Assert.Equal(new Uri(settings["TamTam:Cluster:AzureTable:ServiceUri"]), clustering.TableServiceClient!.Uri);
    }

    [Fact]
    public async Task Dev_keeps_one_silo_and_its_local_data_on_a_persistent_volume()
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync("dev");
        await using SiloConfiguration silo = rendered.BuildSilo();

        Assert.Equal(1, rendered.StatefulSet.Spec.Replicas);
        Assert.False(silo.Options.Storage.IsBlob);
        V1VolumeMount data = Assert.Single(rendered.Silo.VolumeMounts, m => m.MountPath == silo.Options.DataPath);
        Assert.Contains(rendered.StatefulSet.Spec.VolumeClaimTemplates, t => t.Metadata.Name == data.Name);
    }
}

/// <summary>The probes of every overlay sent to a real silo running with the dev overlay's settings.</summary>
[Collection(OverlaySiloCollection.Name)]
public sealed class ProbesOnRealSiloTests(OverlaySiloFixture silo)
{
    public static TheoryData<string> Overlays => [.. Repository.Overlays()];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_probe_path_answers_ok_on_a_running_silo(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);
        V1Container container = rendered.Silo;

        foreach (V1Probe probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe })
        {
            Assert.Equal(HttpStatusCode.OK, await silo.GetUntilOkAsync(probe.HttpGet.Path, TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_path_the_silo_does_not_serve_is_not_ok()
    {
        // The check above means something only if a wrong path fails it.
        Assert.NotEqual(HttpStatusCode.OK, await silo.GetUntilOkAsync("/healthz/nope", TimeSpan.FromSeconds(1)));
    }
}
