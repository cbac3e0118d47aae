using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// A real silo process stopped (SIGSTOP) for far longer than the heartbeat timeout, then resumed: its workers were
/// healthy all along (their heartbeat answers waited in the pipe), so none is killed. On main the health loop measured
/// their heartbeat age across the silo's own pause and killed both on resume (issue 20).
/// </summary>
[Trait("Category", "Process")]
public sealed class SiloPauseTests
{
    // The pause is the stimulus under test, not a wait for an event: 4 heartbeat timeouts long.
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task AStoppedSiloKillsNoHealthyWorkerOnResume()
    {
        using var state = new TemporaryDirectory();
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Pool:HeartbeatInterval"] = "00:00:00.250",
            ["DSPex:Pool:HeartbeatTimeout"] = "00:00:03",
        };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        await silo.Warm;
        var (host, client) = await silo.ConnectAsync();
        using (host)
        {
            var before = (await client.GetClusterStatsAsync()).Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid).Order().ToList();
            Assert.Equal(2, before.Count);

            await StopAndResumeAsync(silo);
            await AssertTheHealthLoopKnewItWasStoppedAsync(silo);

            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", "{}"));
            var stats = (await client.GetClusterStatsAsync()).Pools.Single();
            Assert.Equal(0, stats.HungWorkersKilled);
            Assert.Equal(before, stats.WorkerDetails.Select(w => w.Pid).Order().ToList());
        }
    }

    /// <summary>
    /// Stopped the moment it says it is ready, before its health loop's first tick (a 3 s period, so the test is at the
    /// signal long before it): on main the first tick had no earlier tick to measure the gap from, took the stop for
    /// none, and charged it to the workers. The CI run of f574c69 met this race by chance on a fast machine.
    /// </summary>
    [Fact]
    public async Task ASiloStoppedBeforeItsFirstHealthTickKnowsItWasStopped()
    {
        using var state = new TemporaryDirectory();
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Pool:HeartbeatInterval"] = "00:00:03",
            ["DSPex:Pool:HeartbeatTimeout"] = "00:00:06",
        };
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings });
        await silo.Warm;

        await StopAndResumeAsync(silo);
        await AssertTheHealthLoopKnewItWasStoppedAsync(silo);

        var (host, client) = await silo.ConnectAsync();
        using (host)
        {
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", "{}"));
            Assert.Equal(0, (await client.GetClusterStatsAsync()).Pools.Single().HungWorkersKilled);
        }
    }

    private static async Task StopAndResumeAsync(RealSiloProcess silo)
    {
        Assert.True(NativeSignals.SendToProcess(silo.Pid, NativeSignals.SIGSTOP));
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(LinuxProcess.Read(silo.Pid)?.State), state => state == 'T', "the silo stopped by SIGSTOP");
            await Task.Delay(Pause);
        }
        finally
        {
            Assert.True(NativeSignals.SendToProcess(silo.Pid, NativeSignals.SIGCONT), "SIGCONT to the silo: " + silo.Describe());
        }

        await Eventually.HoldsAsync(() => Task.FromResult(LinuxProcess.Read(silo.Pid)?.State), state => state != 'T', "the silo running again after SIGCONT");
    }

    /// <summary>The health loop's first tick after the resume either restarts the deadlines (and says so) or kills: it must say so.</summary>
    private static async Task AssertTheHealthLoopKnewItWasStoppedAsync(RealSiloProcess silo)
    {
        try
        {
            await Eventually.HoldsAsync(
                () => Task.FromResult(silo.Output.Contains("was not running for", StringComparison.Ordinal) || silo.Output.Contains("unresponsive", StringComparison.Ordinal)),
                seen => seen, "the health loop's first tick after the resume");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + silo.Describe(), e);
        }

        Assert.False(silo.Output.Contains("unresponsive", StringComparison.Ordinal), "a worker was killed as unresponsive; " + silo.Describe());
    }
}
