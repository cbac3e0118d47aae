using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Pool;

[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class WorkerCrashTests(TwoSiloClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_killed_worker_fails_its_request_with_a_typed_error_and_is_replaced()
    {
        var siloKey = SiloKeys.ForSilo(fixture.Cluster.Primary!.SiloAddress);
        var pool = fixture.Cluster.Client.GetGrain<IPoolGrain>(siloKey);
        var before = await pool.GetStatsAsync();

        var inFlight = pool.ExecuteAsync(new ExecuteRequest("sleep_uncooperative", """{"seconds":30}""")).AsTask();
        var busy = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Busy == 1, "one worker busy with the sleep");
        var victim = busy.WorkerDetails.Single(w => w.InFlight == 1);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        OsProcesses.Kill(victim.Pid);
        var response = await inFlight;
        var failedAt = clock.ElapsedMilliseconds;

        Assert.Equal(DSPexErrorKind.WorkerCrashed, response.Error?.Kind);
        Assert.Contains(victim.Pid.ToString(), response.Error!.Message);
        Assert.Contains("SIGKILL", response.Error.Message);
        Assert.IsType<WorkerCrashedException>(DSPexException.From(response.Error, response.WorkerId));

        var after = await Eventually.HoldsAsync(pool.GetStatsAsync,
            s => s.Workers == s.Size && s.WorkerDetails.All(w => w.Pid != victim.Pid && w.Pid != 0),
            "pool back at size with a new process");
        output.WriteLine($"measured: SIGKILL -> in-flight request failed {failedAt} ms; -> replacement ready {clock.ElapsedMilliseconds} ms");
        Assert.Equal(before.Restarts + 1, after.Restarts);
        Assert.False(OsProcesses.IsAlive(victim.Pid));

        var replacement = after.WorkerDetails.Single(w => w.WorkerId == victim.WorkerId);
        Assert.True(OsProcesses.IsAlive(replacement.Pid));
        Assert.True((await pool.ExecuteAsync(new ExecuteRequest("ping", "{}"))).IsSuccess);
    }

    [Fact]
    public async Task Other_requests_in_flight_finish_when_one_worker_is_killed()
    {
        var siloKey = SiloKeys.ForSilo(fixture.Cluster.Primary!.SiloAddress);
        var pool = fixture.Cluster.Client.GetGrain<IPoolGrain>(siloKey);
        await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == s.Size && s.Busy == 0, "pool idle at size");

        var doomed = pool.ExecuteAsync(new ExecuteRequest("sleep_uncooperative", """{"seconds":30}""")).AsTask();
        var busy = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Busy == 1, "one worker busy");
        var victim = busy.WorkerDetails.Single(w => w.InFlight == 1);
        var survivor = pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":0.5}""")).AsTask();
        await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Busy == 2, "both workers busy");

        OsProcesses.Kill(victim.Pid);

        Assert.Equal(DSPexErrorKind.WorkerCrashed, (await doomed).Error?.Kind);
        var survived = await survivor;
        Assert.True(survived.IsSuccess, survived.Error?.Message);
        await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == s.Size, "pool back at size");
    }
}
