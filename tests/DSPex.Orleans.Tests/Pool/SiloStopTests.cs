using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Pool;

[Trait("Category", "Cluster")]
public sealed class SiloStopTests
{
    [Fact]
    public async Task A_stopped_silo_leaves_none_of_its_python_processes_alive()
    {
        var cluster = await TestClusters.StartAsync(2);
        try
        {
            var leaving = cluster.SecondarySilos[0];
            var pool = cluster.PoolOf(leaving.SiloAddress);
            var workerPids = (await pool.GetStatsAsync()).WorkerDetails.Select(w => w.Pid).ToList();
            var spawned = await pool.ExecuteAsync(new ExecuteRequest("spawn_child", "{}"));
            var grandchild = JsonSerializer.Deserialize<int>(spawned.ResultJson!);
            Assert.All(workerPids.Append(grandchild), pid => Assert.True(OsProcesses.IsAlive(pid)));

            await cluster.StopSiloAsync(leaving);

            Assert.All(workerPids, pid => Assert.False(OsProcesses.IsAlive(pid), $"worker pid {pid} survived its silo"));
            // The group kill reaches what user code spawned; the kernel delivers it asynchronously.
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(grandchild), $"grandchild {grandchild} ended by the group kill");

            var remaining = await new Client.DSPexClient(cluster.Client).GetClusterStatsAsync();
            Assert.Single(remaining.Pools);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }
}
