using k8s.Models;
using TamTam.Infra.Tests.Infrastructure;

namespace TamTam.Infra.Tests.Kubernetes;

/// <summary>Every kustomize overlay renders offline and holds the objects a silo cluster needs.</summary>
public sealed class OverlayRenderingTests
{
    public static TheoryData<string> Overlays => [.. Repository.Overlays()];

    [Fact]
    public void The_dev_production_and_aks_overlays_exist()
    {
        Assert.Equal(["aks", "dev", "production"], Repository.Overlays());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_renders_into_typed_objects(string overlay)
    {
        RenderedOverlay rendered = await RenderedOverlay.RenderAsync(overlay);

        Assert.Single(rendered.All<V1StatefulSet>());
        Assert.Single(rendered.All<V1ServiceAccount>());
        Assert.Single(rendered.All<V1Role>());
        Assert.Single(rendered.All<V1RoleBinding>());
        Assert.Single(rendered.All<V1PodDisruptionBudget>());
        Assert.Single(rendered.All<V1Namespace>());
        Assert.Equal(2, rendered.All<V1Service>().Count());
        Assert.NotEmpty(rendered.All<V1ConfigMap>());

        // One namespace for everything, the overlay's own.
        string ns = rendered.Single<V1Namespace>().Metadata.Name;
        Assert.All(rendered.Objects.OfType<k8s.IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace), o => Assert.Equal(ns, o.Metadata.NamespaceProperty));
    }
}
