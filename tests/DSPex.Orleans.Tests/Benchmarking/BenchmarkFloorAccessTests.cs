using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Tests.Benchmarking;

/// <summary>
/// A real silo started with DSPex:Silo:BenchmarkFloor=true and API keys: its floor grain answers a caller whose key
/// holds the execute scope, and refuses one without a key or without that scope, as the router does.
/// </summary>
[Trait("Category", "Process")]
public sealed class BenchmarkFloorAccessTests
{
    [Fact]
    public async Task The_floor_grain_answers_callers_with_the_execute_scope_only()
    {
        var statsOnly = ApiKeys.New();
        var extra = ApiKeys.Settings(("stats-only", statsOnly, ["stats"]));
        extra["DSPex:Silo:BenchmarkFloor"] = "true";
        await using var fixture = new TlsSiloFixture { ExtraSettings = extra };
        await fixture.InitializeAsync();

        var request = new ExecuteRequest("echo", "{\"text\":\"floor\"}");
        var (full, _) = await fixture.ConnectAsync(fixture.FullKey);
        var (scoped, _) = await fixture.ConnectAsync(statsOnly);
        var (anonymous, _) = await fixture.ConnectAsync(null);
        using (full)
        using (scoped)
        using (anonymous)
        {
            var answer = await Floor(full).ExecuteAsync(request);
            Assert.Equal("{\"text\":\"floor\"}", answer.ResultJson);

            var forbidden = await Assert.ThrowsAsync<ForbiddenException>(() => Floor(scoped).ExecuteAsync(request).AsTask());
            Assert.Equal("execute", forbidden.Scope);
            await Assert.ThrowsAsync<UnauthenticatedException>(() => Floor(anonymous).ExecuteAsync(request).AsTask());
            await Task.WhenAll(full.StopAsync(), scoped.StopAsync(), anonymous.StopAsync());
        }
    }

    private static IBenchmarkFloorGrain Floor(IHost host) =>
        host.Services.GetRequiredService<IGrainFactory>().GetGrain<IBenchmarkFloorGrain>(0);
}
