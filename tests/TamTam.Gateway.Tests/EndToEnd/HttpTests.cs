using System.Net;
using System.Text.Json;
using TamTam.Gateway.Tests.Infrastructure;

namespace TamTam.Gateway.Tests.EndToEnd;

[Collection(SiloCollection.Name)]
public sealed class HttpTests(SiloFixture silo)
{
    [Fact]
    public async Task Healthz_answers_200_with_status_and_uptime()
    {
        using var http = new HttpClient { Timeout = FramePeer.Timeout };

        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://{silo.HttpEndPoint}/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.True(body.RootElement.GetProperty("uptime_ms").GetInt64() >= 0);
    }
}
