using System.Security.Cryptography;
using TamTam.Bench.Workloads.W5;
using TamTam.Cli;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary><c>tamtam put</c> and <c>tamtam get</c> against the real silo: a file above the part size goes through as parts.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class PutGetTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-e2e-").FullName;

    [Fact]
    public async Task Get_receives_into_a_file_what_put_sends_from_one()
    {
        string link = Links.Unique("cli-files");
        string source = Path.Combine(_folder, "in.bin");
        string target = Path.Combine(_folder, "out.bin");
        await using (FileStream file = File.Create(source))
        {
            await new SeededPayload(41, (3 * 1024 * 1024) + 99).CopyToAsync(file);
        }

        var getConsole = new CliTestConsole(_folder);
        Task<int> get = getConsole.RunAsync("get", link, "drop", target, "--node", "getter", "--server", silo.Uri.ToString());

        // get joins and binds as it starts; until it has, a put ends with 300 NO_ROUTE and is tried again.
        var putConsole = new CliTestConsole(_folder);
        int put = ExitCodes.Failure;
        for (int attempt = 0; attempt < 50 && put != ExitCodes.Success; attempt++)
        {
            putConsole = new CliTestConsole(_folder);
            put = await putConsole.RunAsync("put", link, "drop", source, "--wait", "--server", silo.Uri.ToString()).Within(TestTimeout.Batch);
            if (put != ExitCodes.Success)
            {
                Assert.Contains("300", putConsole.Error, StringComparison.Ordinal);
                await Task.Delay(100);
            }
        }

        Assert.True(put == ExitCodes.Success, putConsole.Error);
        Assert.Equal(ExitCodes.Success, await get.Within(TestTimeout.Batch));
        Assert.Contains("DELIVERED 1/1", putConsole.Out, StringComparison.Ordinal);
        Assert.Contains($"{(3 * 1024 * 1024) + 99} bytes", getConsole.Out, StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(source)), SHA256.HashData(File.ReadAllBytes(target)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
