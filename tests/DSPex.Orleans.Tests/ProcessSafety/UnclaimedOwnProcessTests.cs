using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.ProcessSafety;

public sealed class UnclaimedOwnProcessTests
{
    [Fact]
    public async Task A_process_with_this_silos_own_marker_that_no_live_worker_claims_is_ended_once_past_the_start_timeout()
    {
        using var state = new TemporaryDirectory();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromSeconds(1),
            new Dictionary<string, string> { ["DSPex:Pool:StartTimeout"] = "00:00:03" });
        await using var decoys = new DecoyProcesses();
        try
        {
            var pool = cluster.GetSiloServiceProvider(cluster.Primary!.SiloAddress).GetRequiredService<LocalWorkerPool>();
            var workers = pool.LiveProcesses().Select(p => p.Pid).ToList();
            // What a lost registry entry would leave: this very silo incarnation's marker on a process no worker holds.
            var leaked = await decoys.StartBridgeAsync(new ProcessMarker(cluster.Options.ClusterId, pool.SiloKey, $"{pool.SiloKey}|5", pool.InstanceToken));

            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(leaked.Pid), $"unclaimed process {leaked.Pid} ended by a reminder sweep");

            Assert.All(workers, pid => Assert.True(OsProcesses.IsAlive(pid), $"claimed worker {pid} was signalled"));
            Assert.Equal(workers.Order(), pool.LiveProcesses().Select(p => p.Pid).Order());
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }
}
