using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

[Trait("Category", "Process")]
public sealed class OtherSiloSweepTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_next_sweep_of_another_silo_ends_a_frozen_worker_and_its_child_left_by_a_SIGKILLed_silo()
    {
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.Fresh(state.Path);
        var leftovers = new List<int>();
        await using var survivor = RealSiloProcess.Start(settings);
        await survivor.Warm;
        await using var victim = RealSiloProcess.Start(settings.SecondSilo());
        await victim.Warm;
        try
        {
            var files = state.RegistryFiles(settings.ClusterId).Select(f => (Path: f, Content: RegistryFiles.Read(f).Content!)).ToList();
            var victimFile = files.Single(f => f.Content.OwnerPid == victim.Pid);
            var survivorFile = files.Single(f => f.Content.OwnerPid == survivor.Pid);
            var victimWorkers = victimFile.Content.Processes.Select(r => r.Pid).ToList();
            var survivorWorkers = survivorFile.Content.Processes.Select(r => r.Pid).ToList();
            leftovers.AddRange([.. victimWorkers, .. survivorWorkers]);

            var (host, client) = await survivor.ConnectAsync();
            using (host)
            {
                // Through the victim's own gateway, whose router runs it on the victim's pool (pool grains answer the cluster only).
                var (victimHost, victimClient) = await victim.ConnectAsync();
                ExecuteResponse spawned;
                using (victimHost)
                {
                    spawned = await victimClient.ExecuteResponseAsync("spawn_child");
                    await victimHost.StopAsync();
                }

                Assert.Contains(spawned.WorkerPid, victimWorkers);
                Assert.True(spawned.IsSuccess, spawned.Error?.Message);
                var frozen = spawned.WorkerPid;
                var child = JsonSerializer.Deserialize<int>(spawned.ResultJson!);
                leftovers.Add(child);
                NativeSignals.SendToProcess(frozen, NativeSignals.SIGSTOP);
                await Eventually.HoldsAsync(() => File.ReadAllText($"/proc/{frozen}/stat").Split(") ")[1][0] == 'T', $"worker {frozen} stopped");

                // The victim's death watch would end the frozen worker at once: end it first (the victim stopped, so it
                // cannot start its watch again), leaving the orphan for the sweep, the fallback when the watch is gone too.
                var deathWatch = SiloCrashTests.DeathWatchOf(victim.Pid);
                NativeSignals.SendToProcess(victim.Pid, NativeSignals.SIGSTOP);
                OsProcesses.Kill(deathWatch);
                await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(deathWatch), $"death watch {deathWatch} gone");

                var clock = Stopwatch.StartNew();
                victim.Kill();
                await Eventually.HoldsAsync(() => victimWorkers.Where(pid => pid != frozen).All(pid => !OsProcesses.IsAlive(pid)), "the unfrozen worker gone by itself");
                Assert.True(OsProcesses.IsAlive(frozen) && OsProcesses.IsAlive(child), "a frozen worker and its child cannot exit by themselves");

                // Right after the crash the cluster may not yet know the silo is dead: a round can fail until it does.
                var reports = new List<SweepReport>();
                await Eventually.HoldsAsync(async () =>
                {
                    try
                    {
                        reports.AddRange((await client.SweepAsync()).Silos.Where(r => r.Silo == survivorFile.Content.Silo));
                    }
                    catch (Exception e) when (e is not TimeoutException)
                    {
                        output.WriteLine($"sweep round failed: {e.GetType().Name}");
                    }

                    return reports.Count;
                }, count => count > 0, "a sweep report from the surviving silo");
                output.WriteLine($"measured: SIGKILL -> frozen worker and its child gone, by the other silo's next sweep (run at once): {clock.ElapsedMilliseconds} ms");
                foreach (var report in reports)
                {
                    output.WriteLine($"{report}\n  {string.Join("\n  ", report.Details)}");
                }

                Assert.Equal(1, reports.Sum(r => r.Found));
                Assert.Equal(1, reports.Sum(r => r.Terminated));
                Assert.Equal(0, reports.Sum(r => r.Errors));
                // What the sweep signalled is in its report. (The surviving silo's own workers are not checked here:
                // Orleans may deactivate worker grains whose directory partition the dead silo held, which stops their
                // processes. NeverTheWrongProcessTests checks that sweeps leave live workers alone.)
                Assert.All(reports.SelectMany(r => r.Details), line => Assert.StartsWith($"pid {frozen} ", line));
                Assert.False(OsProcesses.IsAlive(frozen), $"frozen worker {frozen} survived the sweep");
                Assert.False(OsProcesses.IsAlive(child), $"its child {child} survived the group kill");
                // A sweep that read the file while the killed silo was still exiting takes its incarnation for alive:
                // the next one settles it.
                await Eventually.HoldsAsync(async () => (await client.SweepAsync(), File.Exists(victimFile.Path)).Item2, exists => !exists,
                    "the dead incarnation's registry file settled by a sweep");
                await host.StopAsync();
            }

            Assert.Equal(0, await survivor.StopAsync());
            var marked = LinuxProcess.AllPids().Select(LinuxProcess.Read).OfType<LinuxProcess>()
                .Where(p => !p.HasExited && p.Marker?.ClusterId == settings.ClusterId).Select(p => p.Pid);
            Assert.Empty(marked);
            Assert.Empty(state.RegistryFiles(settings.ClusterId));
        }
        finally
        {
            foreach (var pid in leftovers.Where(OsProcesses.IsAlive))
            {
                OsProcesses.Kill(pid);
            }
        }
    }
}
