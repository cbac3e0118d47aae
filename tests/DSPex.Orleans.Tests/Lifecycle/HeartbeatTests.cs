using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Tests.Lifecycle;

[Trait("Category", "Cluster")]
[Collection(FaultCollection.Name)]
public sealed class HeartbeatTests(FaultCluster fault, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_worker_stuck_in_c_code_holding_the_gil_is_detected_killed_and_replaced()
    {
        var before = await fault.AtSizeAsync();
        var bystander = await fault.BystanderAsync();
        var stuck = await fault.Pool.ExecuteAsync(new ExecuteRequest("hold_gil_in_c", "{}", TimeSpan.FromMinutes(5)));

        Assert.Equal(DSPexErrorKind.WorkerCrashed, stuck.Error?.Kind);
        Assert.Contains("unresponsive", stuck.Error!.Message);
        Assert.True((await bystander).IsSuccess);
        var after = await fault.AtSizeAsync();
        Assert.Equal(before.HungWorkersKilled + 1, after.HungWorkersKilled);
        Assert.False(OsProcesses.IsAlive(stuck.WorkerPid));
    }

    [Fact]
    public async Task A_stopped_worker_is_detected_killed_and_replaced()
    {
        var before = await fault.AtSizeAsync();
        var victim = before.WorkerDetails[0];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        NativeSignals.SendToProcess(victim.Pid, NativeSignals.SIGSTOP);

        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(victim.Pid), "the stopped worker killed");
        var detected = clock.ElapsedMilliseconds;
        var after = await Eventually.HoldsAsync(fault.Pool.GetStatsAsync,
            s => s.Workers == s.Size && s.WorkerDetails.All(w => w.Pid != victim.Pid && w.Pid != 0), "stopped worker replaced");
        output.WriteLine($"measured: SIGSTOP -> hung worker killed {detected} ms (heartbeat timeout {FaultCluster.HeartbeatTimeout.TotalMilliseconds} ms, interval 100 ms); -> replacement ready {clock.ElapsedMilliseconds} ms");
        Assert.Equal(before.HungWorkersKilled + 1, after.HungWorkersKilled);
        Assert.False(OsProcesses.IsAlive(victim.Pid));
    }

    [Fact]
    public async Task A_long_running_request_is_not_mistaken_for_a_hang()
    {
        var before = await fault.AtSizeAsync();
        // Longer than the heartbeat timeout: a worker busy that long still answers heartbeats and is not killed.
        var seconds = FaultCluster.HeartbeatTimeout.TotalSeconds + 2;
        var response = await fault.Pool.ExecuteAsync(new ExecuteRequest("sleep_uncooperative", $$"""{"seconds":{{seconds}}}"""));
        Assert.True(response.IsSuccess, response.Error?.Message);
        var after = await fault.AtSizeAsync();
        Assert.Equal(before.HungWorkersKilled, after.HungWorkersKilled);
        Assert.Equal(before.Restarts, after.Restarts);
    }
}
