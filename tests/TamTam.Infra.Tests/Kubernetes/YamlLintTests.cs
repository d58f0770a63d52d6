using TamTam.Infra.Tests.Infrastructure;

namespace TamTam.Infra.Tests.Kubernetes;

/// <summary>The YAML under infra/ is yamllint clean (infra/.yamllint.yaml: the defaults, lines up to 100).</summary>
public sealed class YamlLintTests
{
    [Fact]
    public async Task Every_yaml_file_under_infra_is_yamllint_clean()
    {
        string yamllint = Tool.Require("yamllint", ".ci/run installs it (Debian: apt-get install yamllint)");
        Assert.NotEmpty(Directory.GetFiles(Repository.Infra, "*.yaml", SearchOption.AllDirectories));

        Tool.Result result = await Tool.RunAsync(yamllint, ["--strict", "-f", "parsable", "-c", Path.Combine(Repository.Infra, ".yamllint.yaml"), Repository.Infra]);

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, result.Describe("yamllint --strict infra"));
    }
}
