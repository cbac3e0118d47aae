using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

[Trait("Category", "Process")]
public sealed class NeverTheWrongProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sweeps_end_a_dead_silos_orphan_with_its_child_and_never_signal_any_other_process()
    {
        using var state = new TemporaryDirectory();
        using var metrics = new SweepMeasurements();
        var cluster = await ReaperTestClusters.StartAsync(2, state.Path, sweepPeriod: TimeSpan.FromSeconds(2));
        await using var decoys = new DecoyProcesses();
        try
        {
            var clusterId = cluster.Options.ClusterId;
            var survivor = cluster.Primary!;
            var leaving = cluster.SecondarySilos[0];
            var survivorPool = cluster.GetSiloServiceProvider(survivor.SiloAddress).GetRequiredService<LocalWorkerPool>();
            var survivorKey = SiloKeys.ForSilo(survivor.SiloAddress);
            var leavingKey = SiloKeys.ForSilo(leaving.SiloAddress);
            var leavingFile = cluster.GetSiloServiceProvider(leaving.SiloAddress).GetRequiredService<ProcessRegistry>().FilePath;
            var leavingWorkers = cluster.GetSiloServiceProvider(leaving.SiloAddress).GetRequiredService<LocalWorkerPool>().LiveProcesses().Select(p => p.Pid).ToList();
            var survivorWorkers = survivorPool.LiveProcesses().Select(p => p.Pid).ToList();

            // The orphan to be: this cluster's marker, owned by an incarnation of the silo about to leave whose
            // registry file records it (what a crash would leave), with a child its code spawned.
            var orphanToken = Guid.NewGuid().ToString("N");
            var orphan = await decoys.StartBridgeAsync(new ProcessMarker(clusterId, leavingKey, $"{leavingKey}|7", orphanToken));
            var spawned = await orphan.Connection.Send(new BridgeCall("spawn_child", "{}")).Finished;
            var orphanChild = JsonSerializer.Deserialize<int>(spawned.ResultJson!);
            decoys.Track(orphanChild);
            var orphanFile = WriteIncarnationRecording(orphan, orphanToken, clusterId, leavingKey, Path.Combine(state.Path, clusterId));
            // The same bridge, but only its command line says whose it is: never enough.
            var unrecorded = await decoys.StartBridgeAsync(new ProcessMarker(clusterId, leavingKey, $"{leavingKey}|8", Guid.NewGuid().ToString("N")));

            // Decoys. Another cluster's bridge naming the same (soon dead) silo:
            var otherCluster = await decoys.StartBridgeAsync(new ProcessMarker($"other-{Guid.NewGuid():N}", leavingKey, $"{leavingKey}|0", Guid.NewGuid().ToString("N")));
            // this cluster's marker, owned by the live silo (another incarnation's token; its spawner lives):
            var ownedByLiveSilo = await decoys.StartBridgeAsync(new ProcessMarker(clusterId, survivorKey, $"{survivorKey}|9", Guid.NewGuid().ToString("N")));
            // a registry record whose pid now names another process, and an unrelated python3 that looks like a bridge by name:
            var reusedPid = decoys.StartPlainPython();
            var unrelated = decoys.StartPlainPython("dspex_bridge.py", "--dspex-marker");
            var forgedFile = WriteDeadIncarnationRecordsFor(reusedPid, clusterId, leavingKey, Path.Combine(state.Path, clusterId), orphan.Marker.ToString());

            await cluster.StopSiloAsync(leaving);
            Assert.False(File.Exists(leavingFile), "a cleanly stopped silo removes its registry file");
            Assert.All(leavingWorkers, pid => Assert.False(OsProcesses.IsAlive(pid), $"worker {pid} outlived its silo's clean stop"));

            // No sweep is asked for: the reminder's sweeps must find the orphan, now that its silo is dead.
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(orphan.Pid) && !OsProcesses.IsAlive(orphanChild),
                $"orphan {orphan.Pid} and its child {orphanChild} ended by a reminder sweep");
            await Eventually.HoldsAsync(() => !File.Exists(forgedFile) && !File.Exists(orphanFile), "the dead incarnations' registry files settled");

            var client = new DSPexClient(cluster.Client);
            var sweep = await client.SweepAsync();
            foreach (var report in sweep.Silos)
            {
                output.WriteLine(report.ToString());
            }

            var survivorReport = Assert.Single(sweep.Silos);
            Assert.Empty(sweep.Unreachable);
            Assert.Equal(survivorKey, survivorReport.Silo);
            Assert.Equal(0, survivorReport.Found);
            Assert.Equal(0, survivorReport.Errors);
            Assert.Equal(survivorWorkers.Count + 2, survivorReport.Preserved); // its workers, the live silo's other-token bridge, the unrecorded bridge

            foreach (var (pid, what) in new[]
            {
                (otherCluster.Pid, "another cluster's bridge"), (ownedByLiveSilo.Pid, "a bridge owned by a live silo"),
                (reusedPid, "the process that reused a recorded pid"), (unrelated, "an unrelated python3"),
                (unrecorded.Pid, "a dead silo's bridge no registry file records"),
            }.Concat(survivorWorkers.Select(pid => (pid, "a live silo's worker"))))
            {
                Assert.True(OsProcesses.IsAlive(pid), $"{what} (pid {pid}) was signalled");
            }

            Assert.Equal(survivorWorkers.Order(), survivorPool.LiveProcesses().Select(p => p.Pid).Order());
            Assert.True(metrics.Sum("dspex.reaper.orphans.terminated", survivorKey) >= 1, "the termination is in the metrics");
            Assert.True(metrics.Sum("dspex.reaper.sweeps", survivorKey, ("trigger", "reminder")) >= 1, "reminder sweeps are in the metrics");
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    /// <summary>
    /// The registry file of an incarnation of <paramref name="siloKey"/> recording <paramref name="bridge"/>, written by
    /// this (test) process: it is dead once that silo is dead in membership.
    /// </summary>
    private static string WriteIncarnationRecording(PythonProcess bridge, string token, string clusterId, string siloKey, string folder)
    {
        var path = Path.Combine(folder, RegistryFiles.FileName(siloKey, token));
        RegistryFiles.Write(path, new RegistryFileContent(clusterId, siloKey, token, Environment.ProcessId,
            LinuxProcess.Read(Environment.ProcessId)!.StartTime, LinuxProcess.BootId,
            [new ProcessRecord(bridge.Pid, bridge.Pid, LinuxProcess.Read(bridge.Pid)!.StartTime, LinuxProcess.BootId, bridge.WorkerId, bridge.Marker.ToString())],
            LinuxProcess.OwnPidNamespace, Environment.MachineName));
        return path;
    }

    /// <summary>
    /// A registry file of a dead incarnation whose records all name the pid of a process that is not ours: once
    /// with another start time (pid reuse), once with another boot id, once with a marker that process lacks.
    /// </summary>
    private static string WriteDeadIncarnationRecordsFor(int pid, string clusterId, string deadSiloKey, string folder, string marker)
    {
        var process = LinuxProcess.Read(pid)!;
        var path = Path.Combine(folder, RegistryFiles.FileName(deadSiloKey, Guid.NewGuid().ToString("N")));
        RegistryFiles.Write(path, new RegistryFileContent(clusterId, deadSiloKey, "forged", Environment.ProcessId,
            LinuxProcess.Read(Environment.ProcessId)!.StartTime, LinuxProcess.BootId,
            [
                new ProcessRecord(pid, pid, process.StartTime + 1, LinuxProcess.BootId, $"{deadSiloKey}|0", marker),
                new ProcessRecord(pid, pid, process.StartTime, "another-boot", $"{deadSiloKey}|1", marker),
                new ProcessRecord(pid, pid, process.StartTime, LinuxProcess.BootId, $"{deadSiloKey}|2", marker),
            ]));
        return path;
    }
}
