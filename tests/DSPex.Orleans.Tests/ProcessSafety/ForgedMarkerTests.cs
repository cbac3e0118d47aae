using DSPex.Orleans.Client;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// A command line is world-readable and anyone can start a process with any arguments: a marker on it proves
/// nothing. These decoys copy a live worker's marker and token (and claim a spawner that is gone) and must survive
/// every kind of sweep, including the silo's own stop.
/// </summary>
[Trait("Category", "Process")]
public sealed class ForgedMarkerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_process_copying_a_live_workers_marker_and_token_survives_sweeps_and_the_silos_stop()
    {
        using var state = new TemporaryDirectory();
        using var metrics = new SweepMeasurements();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromSeconds(1));
        await using var decoys = new DecoyProcesses();
        var stopped = false;
        try
        {
            var pool = cluster.GetSiloServiceProvider(cluster.Primary!.SiloAddress).GetRequiredService<LocalWorkerPool>();
            var worker = pool.LiveProcesses()[0];
            var workers = pool.LiveProcesses().Select(p => p.Pid).ToList();
            // Exactly what the worker's command line holds, and a --parent-pid naming a process that is gone.
            var forged = decoys.StartPlainPython("dspex_bridge.py", ProcessMarker.Argument, worker.Marker.ToString(), "--parent-pid", "1");
            // Same silo and token, a slot no worker holds: what a lost registry entry would have looked like before.
            var copiedToken = decoys.StartPlainPython("dspex_bridge.py", ProcessMarker.Argument,
                new ProcessMarker(cluster.Options.ClusterId, pool.SiloKey, $"{pool.SiloKey}|5", pool.InstanceToken).ToString());

            var client = new DSPexClient(cluster.Client);
            var report = Assert.Single((await client.SweepAsync()).Silos);
            output.WriteLine($"{report}\n  {string.Join("\n  ", report.Details)}");
            Assert.Equal(0, report.Found);
            Assert.Contains(report.Details, d => d.StartsWith($"pid {forged} preserved", StringComparison.Ordinal));
            Assert.Contains(report.Details, d => d.StartsWith($"pid {copiedToken} preserved", StringComparison.Ordinal));
            // Reminder sweeps leave them too.
            var reminderSweeps = metrics.Sum("dspex.reaper.sweeps", pool.SiloKey, ("trigger", "reminder"));
            await Eventually.HoldsAsync(() => metrics.Sum("dspex.reaper.sweeps", pool.SiloKey, ("trigger", "reminder")) >= reminderSweeps + 2,
                "two more reminder sweeps");
            Assert.True(OsProcesses.IsAlive(forged) && OsProcesses.IsAlive(copiedToken), "a decoy was signalled by a sweep");
            Assert.All(workers, pid => Assert.True(OsProcesses.IsAlive(pid), $"worker {pid} was signalled"));

            await cluster.StopAllSilosAsync();
            stopped = true;
            Assert.True(OsProcesses.IsAlive(forged), $"the forged decoy {forged} was ended by the silo's stop");
            Assert.True(OsProcesses.IsAlive(copiedToken), $"the copied-token decoy {copiedToken} was ended by the silo's stop");
            Assert.All(workers, pid => Assert.False(OsProcesses.IsAlive(pid), $"worker {pid} outlived its silo's stop"));
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
}
