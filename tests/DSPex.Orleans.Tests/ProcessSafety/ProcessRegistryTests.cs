using DSPex.Orleans.Pool;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.ProcessSafety;

[Trait("Category", "Process")]
public sealed class ProcessRegistryTests
{
    [Fact]
    public async Task The_registry_file_names_each_live_worker_exactly_and_drops_one_that_exits()
    {
        using var state = new TemporaryDirectory();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromMinutes(5));
        try
        {
            var services = cluster.GetSiloServiceProvider(cluster.Primary!.SiloAddress);
            var pool = services.GetRequiredService<LocalWorkerPool>();
            var registry = services.GetRequiredService<ProcessRegistry>();
            Assert.Equal(Path.Combine(state.Path, cluster.Options.ClusterId), Path.GetDirectoryName(registry.FilePath));

            var file = RegistryFiles.Read(registry.FilePath).Content!;
            Assert.Equal(cluster.Options.ClusterId, file.ClusterId);
            Assert.Equal(pool.SiloKey, file.Silo);
            Assert.Equal(pool.InstanceToken, file.InstanceToken);
            Assert.Equal(Environment.ProcessId, file.OwnerPid);
            var workers = pool.LiveProcesses();
            Assert.Equal(workers.Select(w => w.Pid).Order(), file.Processes.Select(r => r.Pid).Order());
            foreach (var record in file.Processes)
            {
                var process = LinuxProcess.Read(record.Pid)!;
                var worker = workers.Single(w => w.Pid == record.Pid);
                Assert.Equal(process.StartTime, record.StartTime);
                Assert.Equal(process.ProcessGroupId, record.ProcessGroupId);
                Assert.Equal(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), record.BootId);
                Assert.Equal(worker.WorkerId, record.WorkerId);
                Assert.Equal(process.MarkerText, record.Marker);
                Assert.Equal(worker.Marker.ToString(), record.Marker);
            }

            var victim = workers[0];
            OsProcesses.Kill(victim.Pid);
            // The registry records a replacement when it is attached, a moment before the pool lists it as live:
            // wait until both show the same workers, and the replacement's record is in both.
            var after = await Eventually.HoldsAsync(
                () => Task.FromResult((Recorded: RegistryFiles.Read(registry.FilePath).Content!.Processes.Select(r => r.Pid).Order().ToList(),
                    Live: pool.LiveProcesses().Select(w => w.Pid).Order().ToList())),
                s => !s.Recorded.Contains(victim.Pid) && s.Recorded.Count == pool.Options.Size && s.Recorded.SequenceEqual(s.Live),
                "the dead worker's record gone, its replacement recorded, and the registry listing what the pool runs");
            Assert.DoesNotContain(victim.Pid, after.Live);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }

        Assert.Empty(state.RegistryFiles(cluster.Options.ClusterId));
    }
}
