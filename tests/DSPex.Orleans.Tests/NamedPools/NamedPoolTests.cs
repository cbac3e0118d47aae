using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// Named pools in a real two-silo cluster: routing by command and by name, each pool's own interpreter, a pool on
/// labelled silos only, a pool that cannot start, sessions in a named pool, stats per pool.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(NamedPoolsCollection.Name)]
public sealed class NamedPoolTests(NamedPoolsFixture fixture)
{
    [Fact]
    public async Task A_command_runs_in_the_pool_that_registers_it_with_that_pools_own_interpreter()
    {
        var response = await fixture.Client.ExecuteResponseAsync("alt_where");
        Assert.Null(response.Error);
        Assert.Equal("alt", SiloKeys.ParsePool(response.WorkerId!));
        var where = JsonDocument.Parse(response.ResultJson!).RootElement;
        Assert.Equal(fixture.VirtualEnvironment, where.GetProperty("prefix").GetString());

        // Built-in commands, which every pool has, go to the default pool.
        var ping = await fixture.Client.ExecuteResponseAsync("ping");
        Assert.Equal(PoolNames.Default, SiloKeys.ParsePool(ping.WorkerId!));
    }

    [Fact]
    public async Task A_command_two_pools_register_runs_only_where_the_caller_names_the_pool()
    {
        var ambiguous = await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteAsync<string>("which_pool"));
        Assert.Contains("alt, default", ambiguous.Message);

        Assert.Equal("alt", await fixture.Client.ExecuteAsync<string>("which_pool", options: new ExecuteOptions { Pool = "alt" }));
        Assert.Equal("default", await fixture.Client.ExecuteAsync<string>("which_pool", options: new ExecuteOptions { Pool = PoolNames.Default }));
        // A built-in command in a named pool runs there.
        var ping = await fixture.Client.ExecuteResponseAsync("ping", options: new ExecuteOptions { Pool = "alt" });
        Assert.Equal("alt", SiloKeys.ParsePool(ping.WorkerId!));
    }

    [Fact]
    public async Task An_unknown_command_says_what_each_pool_offers()
    {
        var error = await Assert.ThrowsAsync<UnknownCommandException>(() => fixture.Client.ExecuteRawAsync("no_such_command_anywhere"));
        Assert.True(error.Message.Contains("pool alt offers alt_count, alt_where, which_pool", StringComparison.Ordinal), error.Message);
        Assert.Contains("no_such_command_anywhere", error.Message);
        Assert.Contains("pool broken has not started a worker yet", error.Message);
        Assert.Contains("pool gpu offers gpu_info", error.Message);
    }

    [Fact]
    public async Task A_pool_no_silo_runs_or_a_malformed_pool_name_is_invalid_arguments_and_nothing_runs()
    {
        var before = await ServedAsync();
        var missing = await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "nope" }));
        Assert.Contains("no silo runs a pool named 'nope'", missing.Message);
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "Bad Name" }));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = new string('a', 33) }));

        // Past the client library's checks, the gateway refuses it the same way.
        var raw = await fixture.Cluster.Client.GetGrain<Grains.IRouterGrain>(0).ExecuteAsync(new ExecuteRequest("ping", "{}", Pool: "Bad|Name"));
        Assert.Equal(DSPexErrorKind.InvalidArguments, raw.Error?.Kind);
        Assert.Equal(before, await ServedAsync());
    }

    [Fact]
    public async Task A_labelled_pool_runs_only_on_labelled_silos_and_is_reached_through_any_gateway()
    {
        var secondary = fixture.Cluster.SecondarySilos.Select(s => s.SiloAddress).ToHashSet();
        for (var i = 0; i < 8; i++)
        {
            // A new client per round would pick gateways at random; the router's key spreads calls over both gateways.
            var response = await fixture.Client.ExecuteResponseAsync("gpu_info");
            Assert.Null(response.Error);
            Assert.Contains(SiloKeys.ParseSilo(response.WorkerId!), secondary);
        }

        var stats = await fixture.Client.GetClusterStatsAsync();
        var gpu = stats.Pools.Where(p => p.Pool == "gpu").ToList();
        Assert.Single(gpu);
        Assert.Contains(SiloKeys.ParseSilo(gpu[0].Silo), secondary);
        Assert.Equal(2, stats.Pools.Count(p => p.Pool == "alt"));
        Assert.Equal(2, stats.Pools.Count(p => p.Pool == PoolNames.Default));
    }

    [Fact]
    public async Task A_pool_that_cannot_start_fails_alone_and_its_stats_say_why()
    {
        var stats = await fixture.Client.GetClusterStatsAsync();
        var broken = stats.Pools.Where(p => p.Pool == "broken").ToList();
        Assert.Equal(2, broken.Count);
        Assert.All(broken, p =>
        {
            Assert.Equal(0, p.Workers);
            Assert.Contains("no-such-python", p.StartFailure);
        });
        Assert.All(stats.Pools.Where(p => p.Pool != "broken"), p => Assert.Null(p.StartFailure));

        var error = await Assert.ThrowsAsync<WorkerStartFailedException>(() => fixture.Client.ExecuteRawAsync("ping", options: new ExecuteOptions { Pool = "broken" }));
        Assert.Contains("no-such-python", error.Message);
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
        Assert.Equal("\"alt\"", await fixture.Client.ExecuteRawAsync("which_pool", options: new ExecuteOptions { Pool = "alt" }));
    }

    [Fact]
    public async Task A_session_runs_its_calls_in_the_pool_it_names()
    {
        var session = fixture.Client.Session($"pools-{Guid.NewGuid():N}", new SessionOptions(Pool: "alt"));
        Assert.Equal("alt", await session.ExecuteAsync<string>("which_pool"));
        var echo = await session.ExecuteResponseAsync("echo", "{\"a\":1}");
        Assert.Equal("alt", SiloKeys.ParsePool(echo.WorkerId!));
        Assert.Equal("alt", (await session.GetInfoAsync())!.Pool);

        var other = await Assert.ThrowsAsync<InvalidArgumentsException>(() => session.ExecuteRawAsync("which_pool", options: new ExecuteOptions { Pool = PoolNames.Default }));
        Assert.Contains("runs in pool alt", other.Message);

        var plain = fixture.Client.Session($"pools-{Guid.NewGuid():N}");
        Assert.Equal("default", await plain.ExecuteAsync<string>("which_pool"));
        Assert.Equal(PoolNames.Default, (await plain.GetInfoAsync())!.Pool);
        await session.DeleteAsync();
        await plain.DeleteAsync();
    }

    [Fact]
    public async Task A_stream_runs_in_a_named_pool_of_its_gateway()
    {
        var items = new List<string>();
        await foreach (var item in fixture.Client.StreamRawAsync("alt_count", "{\"n\":3}"))
        {
            items.Add(item);
        }

        Assert.Equal(["0", "1", "2"], items);

    }

    private async Task<long> ServedAsync() => (await fixture.Client.GetClusterStatsAsync()).Pools.Sum(p => p.Served);
}
