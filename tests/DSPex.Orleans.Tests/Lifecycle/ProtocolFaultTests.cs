using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// Each fault gives the caller a typed error with the detail, the worker is replaced when it must be, the silo
/// stays up, and the request running beside it finishes.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(FaultCollection.Name)]
public sealed class ProtocolFaultTests(FaultCluster fault)
{
    private async Task<(ExecuteResponse Faulted, PoolStats Before)> RunBesideBystanderAsync(string command, string args = "{}")
    {
        var before = await fault.AtSizeAsync();
        var bystander = await fault.BystanderAsync();
        var faulted = await fault.Pool.ExecuteAsync(new ExecuteRequest(command, args));
        var survived = await bystander;
        Assert.True(survived.IsSuccess, $"the bystander failed: {survived.Error?.Message}");
        return (faulted, before);
    }

    [Fact]
    public async Task A_request_frame_over_the_limit_is_refused_before_it_is_sent()
    {
        var args = $$"""{"blob":"{{new string('x', FaultCluster.MaxFrameBytes)}}"}""";
        var (faulted, before) = await RunBesideBystanderAsync("echo", args);
        Assert.Equal(DSPexErrorKind.FrameTooLarge, faulted.Error?.Kind);
        Assert.Contains("exceeds the limit", faulted.Error!.Message);
        Assert.Equal(before.Restarts, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task A_result_frame_over_the_limit_is_an_error_from_the_worker_which_stays()
    {
        var (faulted, before) = await RunBesideBystanderAsync("big_result", $$"""{"size":{{FaultCluster.MaxFrameBytes * 2}}}""");
        Assert.Equal(DSPexErrorKind.FrameTooLarge, faulted.Error?.Kind);
        Assert.Equal(before.Restarts, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task A_malformed_frame_on_the_protocol_pipe_replaces_the_worker()
    {
        var (faulted, before) = await RunBesideBystanderAsync("corrupt_protocol");
        Assert.Equal(DSPexErrorKind.MalformedFrame, faulted.Error?.Kind);
        Assert.True(faulted.Error!.Message.Contains("malformed frame", StringComparison.Ordinal), faulted.Error.Message);
        Assert.False(OsProcesses.IsAlive(faulted.WorkerPid));
        Assert.Equal(before.Restarts + 1, (await fault.AtSizeAsync()).Restarts);
    }

    [Theory]
    [InlineData("""{"id":1.5,"type":"result","result":1}""")]
    [InlineData("""{"id":1e30,"type":"result","result":1}""")]
    [InlineData("""{"id":{id},"type":"error","error":"not an object"}""")]
    [InlineData("""{"id":{id},"type":["result"],"result":1}""")]
    [InlineData("""{"type":"heartbeat","pid":99999999999}""")]
    [InlineData("""{"id":{id},"type":"result","result":1} trailing""")]
    public async Task A_frame_of_the_wrong_types_replaces_the_worker_and_the_silo_serves_on(string envelope)
    {
        var (faulted, before) = await RunBesideBystanderAsync("write_frame", System.Text.Json.JsonSerializer.Serialize(new { envelope }));
        Assert.Equal(DSPexErrorKind.MalformedFrame, faulted.Error?.Kind);
        Assert.Equal(before.Restarts + 1, (await fault.AtSizeAsync()).Restarts);
        Assert.True((await fault.Pool.ExecuteAsync(new ExecuteRequest("ping", "null"))).IsSuccess);
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_in_an_error_frame_reaches_the_caller_as_a_replacement_character()
    {
        var envelope = """{"id":{id},"type":"error","error":{"kind":"PythonException","type":"AttributeError","message":"no attribute '\ud800'"}}""";
        var (faulted, before) = await RunBesideBystanderAsync("write_frame", System.Text.Json.JsonSerializer.Serialize(new { envelope }));
        Assert.Equal(DSPexErrorKind.PythonException, faulted.Error?.Kind);
        Assert.Equal("no attribute '\uFFFD'", faulted.Error!.Message);
        Assert.Equal(before.Restarts, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task A_result_json_cannot_carry_leaves_the_worker_serving()
    {
        var (faulted, before) = await RunBesideBystanderAsync("unserializable");
        Assert.Equal(DSPexErrorKind.ResultNotSerializable, faulted.Error?.Kind);
        Assert.True(OsProcesses.IsAlive(faulted.WorkerPid));
        Assert.Equal(before.Restarts, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task Os_exit_mid_request_is_a_worker_crash_with_its_exit_code()
    {
        var (faulted, before) = await RunBesideBystanderAsync("exit_now", """{"code":7}""");
        Assert.Equal(DSPexErrorKind.WorkerCrashed, faulted.Error?.Kind);
        Assert.Contains("exit code 7", faulted.Error!.Message);
        Assert.Equal(before.Restarts + 1, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task A_segfault_mid_request_is_a_worker_crash_naming_the_signal()
    {
        var (faulted, before) = await RunBesideBystanderAsync("segfault");
        Assert.Equal(DSPexErrorKind.WorkerCrashed, faulted.Error?.Kind);
        Assert.Contains("SIGSEGV", faulted.Error!.Message);
        Assert.Equal(before.Restarts + 1, (await fault.AtSizeAsync()).Restarts);
    }

    [Fact]
    public async Task A_flood_of_stderr_does_not_block_the_worker()
    {
        var (faulted, before) = await RunBesideBystanderAsync("stderr_flood", """{"lines":20000}""");
        Assert.True(faulted.IsSuccess, faulted.Error?.Message);
        Assert.Equal("\"flooded\"", faulted.ResultJson);
        Assert.Equal(before.Restarts, (await fault.AtSizeAsync()).Restarts);
    }
}
