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

            Assert.True(NativeSignals.SendToProcess(silo.Pid, NativeSignals.SIGSTOP));
            try
            {
                await Task.Delay(Pause);
            }
            finally
            {
                NativeSignals.SendToProcess(silo.Pid, NativeSignals.SIGCONT);
            }

            // The health loop's first tick after the resume either restarts the deadlines (and says so) or kills.
            await Eventually.HoldsAsync(
                () => Task.FromResult(silo.Output.Contains("was not running for", StringComparison.Ordinal) || silo.Output.Contains("unresponsive", StringComparison.Ordinal)),
                seen => seen, "the health loop's first tick after the resume");
            Assert.False(silo.Output.Contains("unresponsive", StringComparison.Ordinal), "a worker was killed as unresponsive; the silo's output:\n" + silo.Output);

            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping", "{}"));
            var stats = (await client.GetClusterStatsAsync()).Pools.Single();
            Assert.Equal(0, stats.HungWorkersKilled);
            Assert.Equal(before, stats.WorkerDetails.Select(w => w.Pid).Order().ToList());
        }
    }
}
