using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.Pool;

[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class WarmUpTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task Each_silo_is_warm_at_full_size_when_the_cluster_has_started()
    {
        var stats = await fixture.Client.GetClusterStatsAsync();
        foreach (var pool in stats.Pools)
        {
            Assert.Equal(pool.Size, pool.Workers);
            Assert.All(pool.WorkerDetails, w => Assert.True(OsProcesses.IsAlive(w.Pid), $"worker {w.WorkerId} pid {w.Pid} is not alive"));
        }

        var pids = stats.Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid).ToList();
        Assert.Equal(4, pids.Distinct().Count());
    }

    [Fact]
    public void Each_worker_carries_its_cluster_silo_and_worker_in_its_marker_and_leads_its_process_group()
    {
        foreach (var silo in fixture.Cluster.GetActiveSilos())
        {
            var pool = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<LocalWorkerPool>();
            foreach (var process in pool.LiveProcesses())
            {
                var commandLine = OsProcesses.CommandLine(process.Pid);
                var markerText = commandLine.Split(' ').SkipWhile(a => a != ProcessMarker.Argument).Skip(1).First();
                Assert.True(ProcessMarker.TryParse(markerText, out var marker));
                Assert.Equal(fixture.Cluster.Options.ClusterId, marker!.ClusterId);
                Assert.Equal(pool.SiloKey, marker.Silo);
                Assert.Equal(process.WorkerId, marker.WorkerId);
                Assert.Equal(process.Pid, process.ProcessGroupId);
            }
        }
    }

    [Fact]
    public void Workers_limit_native_math_libraries_to_one_thread()
    {
        var pool = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Primary!.SiloAddress).GetRequiredService<LocalWorkerPool>();
        var process = pool.LiveProcesses()[0];
        var environment = File.ReadAllText($"/proc/{process.Pid}/environ").Split('\0');
        Assert.Contains("OMP_NUM_THREADS=1", environment);
        Assert.Contains("OPENBLAS_NUM_THREADS=1", environment);
    }
}
