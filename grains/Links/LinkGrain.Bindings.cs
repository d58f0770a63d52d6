using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;

namespace TamTam.Grains.Links;

public sealed partial class LinkGrain
{
    public Task<PortBinding[]> GetBindingsAsync(string node)
    {
        var bindings = new List<PortBinding>();
        foreach (PortBound bound in _ledger.Bindings)
        {
            if (bound.Node == node)
            {
                bindings.Add(new PortBinding(bound.Port, bound.Mode, bound.Subtree));
            }
        }

        return Task.FromResult(bindings.ToArray());
    }
}
