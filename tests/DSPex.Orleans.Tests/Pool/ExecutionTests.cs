using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Pool;

[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class ExecutionTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task Ping_round_trips_through_the_client_library()
    {
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task Echo_returns_the_arguments_unchanged()
    {
        const string args = """{"text":"héllo ✓","n":[1,2.5,null,true],"nested":{"k":"v"}}""";
        var result = await fixture.Client.ExecuteRawAsync("echo", args);
        Assert.Equal(args, result);
    }

    [Fact]
    public async Task Typed_execute_serialises_arguments_and_deserialises_the_result()
    {
        var result = await fixture.Client.ExecuteAsync<EchoPayload>("echo", new EchoPayload("abc", 42));
        Assert.Equal(new EchoPayload("abc", 42), result);
    }

    [Fact]
    public async Task Every_silo_runs_requests_on_its_own_python_workers()
    {
        foreach (var silo in fixture.Cluster.GetActiveSilos())
        {
            var pool = fixture.Cluster.PoolOf(silo.SiloAddress);
            var response = await pool.ExecuteAsync(new ExecuteRequest("pid", "{}"));
            Assert.True(response.IsSuccess, response.Error?.Message);
            Assert.StartsWith(SiloKeys.ForSilo(silo.SiloAddress), response.WorkerId);
            Assert.Equal(response.WorkerPid, JsonSerializer.Deserialize<int>(response.ResultJson!));
        }
    }

    [Fact]
    public async Task Client_calls_spread_over_both_silos()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 128).Select(_ => fixture.Client.ExecuteResponseAsync("ping").AsTask()));
        Assert.All(responses, r => Assert.True(r.IsSuccess, r.Error?.Message));
        var silos = responses.Select(r => r.WorkerId![..r.WorkerId!.IndexOf(SiloKeys.Separator)]).Distinct().Count();
        Assert.Equal(2, silos);
    }

    [Fact]
    public async Task Python_exception_comes_back_typed_with_its_traceback()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() =>
            fixture.Client.ExecuteRawAsync("raise_error", """{"message":"the value was wrong"}"""));
        Assert.Equal("ValueError", error.PythonType);
        Assert.Equal("the value was wrong", error.PythonMessage);
        Assert.Contains("raise_error", error.PythonTraceback);
        Assert.Contains("dspex_test_adapter.py", error.PythonTraceback);
    }

    [Fact]
    public async Task Unknown_command_is_named_in_a_typed_error()
    {
        var error = await Assert.ThrowsAsync<UnknownCommandException>(() => fixture.Client.ExecuteRawAsync("no_such_command"));
        Assert.Contains("no_such_command", error.Message);
    }

    [Fact]
    public async Task Print_in_a_command_does_not_corrupt_the_protocol()
    {
        for (var i = 0; i < 10; i++)
        {
            var result = await fixture.Client.ExecuteRawAsync("print_and_return", $$"""{"text":"line {{i}}"}""");
            Assert.Equal($$"""{"text":"line {{i}}"}""", result);
        }

        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task Arguments_that_are_not_json_are_rejected_before_reaching_python()
    {
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => fixture.Client.ExecuteRawAsync("echo", "{not json"));
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task A_result_json_cannot_carry_is_a_typed_error()
    {
        await Assert.ThrowsAsync<ResultNotSerializableException>(() => fixture.Client.ExecuteRawAsync("unserializable"));
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
    }

    [Fact]
    public async Task Built_in_list_commands_includes_adapter_commands()
    {
        var commands = await fixture.Client.ExecuteAsync<string[]>("list_commands");
        Assert.Contains("ping", commands);
        Assert.Contains("echo", commands);
        Assert.Contains("raise_error", commands);
    }

    [Fact]
    public async Task Cluster_stats_report_every_silo()
    {
        var stats = await fixture.Client.GetClusterStatsAsync();
        Assert.Equal(2, stats.Pools.Count);
        Assert.Empty(stats.Unreachable);
        Assert.All(stats.Pools, p => Assert.Equal(2, p.Size));
    }

    public sealed record EchoPayload(string Name, int Count);
}
