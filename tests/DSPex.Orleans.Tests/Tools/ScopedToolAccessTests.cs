using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Tests.Security;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// A scoped API key against the real silo executable: a key given <c>tool:weather</c> (and no other tool) lets Python
/// call <c>weather</c>, gets <c>Forbidden</c> for <c>search</c> (caught in Python as ToolError kind Forbidden, and
/// failing the request typed when not caught) without the tool's handler running, and list_tools shows only weather.
/// The stock silo registers no silo tools, so both tools are the caller's client tools; the scope check runs before
/// any look-up and is the same for client and silo tools.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.ScopedToolAccess)]
public sealed class ScopedToolAccessTests
{
    public sealed record CityArgs(string City);

    [Fact]
    public async Task AKeyScopedToWeatherReachesWeatherOnly()
    {
        using var state = new TemporaryDirectory();
        var key = ApiKeys.New();
        var settings = ApiKeys.Settings(("weather-only", key, ["execute", "command:*", "tool:weather"]));
        settings["DSPex:Pool:AdapterModules:2"] = "dspex_tool_test_adapter";
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings, PoolSize = 1 });
        await silo.Warm;

        var searches = 0;
        var (host, client) = await silo.ConnectAsync(o =>
        {
            o.ApiKey = key;
            o.AddTool<CityArgs, string>("weather", "Weather in a city", (args, _) => Task.FromResult($"sunny in {args.City}"));
            o.AddTool<CityArgs, string>("search", "Searches the web", (args, _) =>
            {
                Interlocked.Increment(ref searches);
                return Task.FromResult($"found {args.City}");
            });
        });
        using (host)
        {
            var allowed = await client.ExecuteRawAsync("tool_call", """{"tool":"weather","args":{"city":"Paris"}}""");
            Assert.Equal("sunny in Paris", JsonSerializer.Deserialize<string>(allowed));

            using var caught = JsonDocument.Parse(await client.ExecuteRawAsync("tool_call_catching", """{"tool":"search","args":{"city":"Paris"}}"""));
            Assert.Equal("Forbidden", caught.RootElement.GetProperty("error").GetProperty("kind").GetString());

            var uncaught = await Assert.ThrowsAsync<PythonException>(() => client.ExecuteRawAsync("tool_call", """{"tool":"search","args":{"city":"Paris"}}"""));
            Assert.Equal("ToolError", uncaught.PythonType);
            Assert.Contains("Forbidden", uncaught.Message);
            Assert.Equal(0, Volatile.Read(ref searches));

            using var listed = JsonDocument.Parse(await client.ExecuteRawAsync("tool_list", "{}"));
            Assert.Equal("weather", Assert.Single(listed.RootElement.EnumerateArray()).GetProperty("name").GetString());

            // The silo stays up and keeps serving the allowed tool after the refusals.
            Assert.Contains("Lyon", await client.ExecuteRawAsync("tool_call", """{"tool":"weather","args":{"city":"Lyon"}}"""));
            await host.StopAsync();
        }
    }
}
