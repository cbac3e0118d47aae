using DSPex.Orleans.Client;
using DSPex.Orleans.Pool;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>Registry files are input anyone with access to the folder could have written: planted, malformed, or not files at all.</summary>
[Trait("Category", "Process")]
public sealed class UntrustedRegistryFileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Planted_registry_files_naming_the_silos_own_live_workers_never_end_them()
    {
        using var state = new TemporaryDirectory();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromMinutes(10));
        await using var decoys = new DecoyProcesses();
        try
        {
            var clusterId = cluster.Options.ClusterId;
            var pool = cluster.GetSiloServiceProvider(cluster.Primary!.SiloAddress).GetRequiredService<LocalWorkerPool>();
            var workers = pool.LiveProcesses().ToList();
            var (deadOwner, deadOwnerStart) = await DeadProcessAsync(decoys);
            var folder = Path.Combine(state.Path, clusterId);

            // Each names the live workers with their true pid, start time and marker, "written" by a silo process that is gone.
            List<ProcessRecord> Records(Func<PythonProcess, string> marker) =>
                [.. workers.Select(w => new ProcessRecord(w.Pid, w.Pid, LinuxProcess.Read(w.Pid)!.StartTime, LinuxProcess.BootId, w.WorkerId, marker(w)))];
            RegistryFileContent File(string token, List<ProcessRecord> records) =>
                new(clusterId, pool.SiloKey, token, deadOwner, deadOwnerStart, LinuxProcess.BootId, records, LinuxProcess.OwnPidNamespace, Environment.MachineName);
            RegistryFiles.Write(Path.Combine(folder, RegistryFiles.FileName(pool.SiloKey, "planted1")), File("planted1", Records(w => w.Marker.ToString())));
            RegistryFiles.Write(Path.Combine(folder, RegistryFiles.FileName(pool.SiloKey, "planted2")), File(pool.InstanceToken, Records(w => w.Marker.ToString())));
            RegistryFiles.Write(Path.Combine(folder, RegistryFiles.FileName(pool.SiloKey, "planted3")), File("planted3", Records(w => (w.Marker with { InstanceToken = "planted3" }).ToString())));

            var report = Assert.Single((await new DSPexClient(cluster.Client).SweepAsync()).Silos);
            output.WriteLine($"{report}\n  {string.Join("\n  ", report.Details)}");

            Assert.Equal(0, report.Found);
            Assert.Equal(workers.Count, report.Preserved);
            Assert.All(workers, w => Assert.True(OsProcesses.IsAlive(w.Pid), $"live worker {w.Pid} was signalled"));
            Assert.Equal(workers.Select(w => w.Pid).Order(), pool.LiveProcesses().Select(p => p.Pid).Order());
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task A_fifo_a_symlink_a_null_process_list_and_an_oversized_file_are_skipped_while_sweeps_still_end_a_recorded_orphan_and_the_silo_stops()
    {
        using var state = new TemporaryDirectory();
        using var outside = new TemporaryDirectory();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromMinutes(10));
        await using var decoys = new DecoyProcesses();
        var stopped = false;
        try
        {
            var clusterId = cluster.Options.ClusterId;
            var folder = Path.Combine(state.Path, clusterId);
            var (deadOwner, deadOwnerStart) = await DeadProcessAsync(decoys);
            var deadSilo = $"S127.0.0.1:1-{Guid.NewGuid():N}";
            var orphan = await decoys.StartBridgeAsync(new ProcessMarker(clusterId, deadSilo, $"{deadSilo}|0", "dead-token"));
            var lure = await decoys.StartBridgeAsync(new ProcessMarker(clusterId, deadSilo, $"{deadSilo}|1", "lure-token"));
            RegistryFileContent DeadFile(string token, PythonProcess process) =>
                new(clusterId, deadSilo, token, deadOwner, deadOwnerStart, LinuxProcess.BootId,
                    [new ProcessRecord(process.Pid, process.Pid, LinuxProcess.Read(process.Pid)!.StartTime, LinuxProcess.BootId, process.WorkerId, process.Marker.ToString())],
                    LinuxProcess.OwnPidNamespace, Environment.MachineName);

            var orphanFile = Path.Combine(folder, RegistryFiles.FileName(deadSilo, "dead-token"));
            RegistryFiles.Write(orphanFile, DeadFile("dead-token", orphan));
            // A valid file recording the lure, reachable only by following a link.
            var target = Path.Combine(outside.Path, clusterId, "lure.json");
            RegistryFiles.Write(target, DeadFile("lure-token", lure));
            File.CreateSymbolicLink(Path.Combine(folder, "silo-link.json"), target);
            await HostTools.RunAsync("mkfifo", "-m", "0600", Path.Combine(folder, "silo-fifo.json"));
            await File.WriteAllTextAsync(Path.Combine(folder, "silo-null.json"),
                $$"""{"clusterId":"{{clusterId}}","silo":"{{deadSilo}}","instanceToken":"n","ownerPid":{{deadOwner}},"ownerStartTime":1,"bootId":"{{LinuxProcess.BootId}}","processes":null}""");
            await File.WriteAllBytesAsync(Path.Combine(folder, "silo-big.json"), new byte[RegistryFiles.MaxFileBytes + 1]);

            var sweep = new DSPexClient(cluster.Client).SweepAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var report = Assert.Single((await sweep).Silos);
            output.WriteLine($"{report}\n  {string.Join("\n  ", report.Details)}");

            Assert.Equal(1, report.Found);
            Assert.Equal(1, report.Terminated);
            Assert.Equal(4, report.Errors);
            foreach (var (name, why) in new[] { ("silo-link.json", "symbolic link"), ("silo-fifo.json", "FIFO"), ("silo-null.json", "\"processes\""), ("silo-big.json", "bytes") })
            {
                Assert.Contains(report.Details, d => d.Contains(name, StringComparison.Ordinal) && d.Contains(why, StringComparison.Ordinal));
            }

            Assert.False(OsProcesses.IsAlive(orphan.Pid), $"recorded orphan {orphan.Pid} survived the sweep");
            Assert.True(OsProcesses.IsAlive(lure.Pid), $"the process {lure.Pid} named only through a symlink was signalled");
            Assert.False(File.Exists(orphanFile), "the settled dead incarnation's file removed");

            await cluster.StopAllSilosAsync().WaitAsync(TimeSpan.FromMinutes(2));
            stopped = true;
        }
        finally
        {
            if (!stopped)
            {
                await cluster.StopAllSilosAsync();
            }

            await cluster.DisposeAsync();
        }
    }

    /// <summary>A pid and start time of a process that was started and has ended: a silo process that is gone.</summary>
    private static async Task<(int Pid, ulong StartTime)> DeadProcessAsync(DecoyProcesses decoys)
    {
        var pid = decoys.StartPlainPython();
        var startTime = LinuxProcess.Read(pid)!.StartTime;
        OsProcesses.Kill(pid);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(pid), $"process {pid} ended");
        return (pid, startTime);
    }
}
