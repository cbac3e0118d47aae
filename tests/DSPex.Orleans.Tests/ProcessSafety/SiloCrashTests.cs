using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// Real silo processes killed with SIGKILL. The elapsed times are written to the test output as measurements;
/// nothing here asserts on them.
/// </summary>
[Trait("Category", "Process")]
public sealed class SiloCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_SIGKILLed_silos_workers_exit_by_themselves_and_its_registry_file_stays_as_the_record()
    {
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.Fresh(state.Path);
        await using var silo = RealSiloProcess.Start(settings);
        await silo.Warm;
        var workers = Assert.Single(state.RegistryFiles(settings.ClusterId)) is var file ? RegistryFiles.Read(file).Content!.Processes.Select(r => r.Pid).ToList() : [];
        Assert.Equal(2, workers.Count);
        try
        {
            var clock = Stopwatch.StartNew();
            silo.Kill();
            await Eventually.HoldsAsync(() => workers.All(pid => !OsProcesses.IsAlive(pid)), "every worker of the killed silo gone");
            output.WriteLine($"measured: SIGKILL of silo pid {silo.Pid} -> last of its {workers.Count} Python workers gone: {clock.ElapsedMilliseconds} ms");
            Assert.Single(state.RegistryFiles(settings.ClusterId));
        }
        finally
        {
            foreach (var pid in workers.Where(OsProcesses.IsAlive))
            {
                OsProcesses.Kill(pid);
            }
        }
    }

    [Fact]
    public async Task A_frozen_worker_and_the_children_workers_spawned_outlive_a_SIGKILLed_silo_until_the_restarted_silos_start_sweep_and_a_clean_stop_leaves_nothing()
    {
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.Fresh(state.Path);
        var leftovers = new List<int>();
        var unmarked = 0;
        await using var first = RealSiloProcess.Start(settings);
        RealSiloProcess? restarted = null;
        try
        {
            await first.Warm;
            // Each worker's code spawns a child (the pool picks the worker, so ask until both have one).
            var children = new List<(int Worker, int Child)>();
            List<int> workers;
            var (host, client) = await first.ConnectAsync();
            using (host)
            {
                workers = [.. (await client.GetClusterStatsAsync()).Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid)];
                leftovers.AddRange(workers);
                for (var attempt = 0; attempt < 50 && children.Select(c => c.Worker).Distinct().Count() < workers.Count; attempt++)
                {
                    var spawned = await client.ExecuteResponseAsync("spawn_child");
                    Assert.True(spawned.IsSuccess, spawned.Error?.Message);
                    children.Add((spawned.WorkerPid, JsonSerializer.Deserialize<int>(spawned.ResultJson!)));
                    leftovers.Add(children[^1].Child);
                }

                // And one that leaves its worker's session with an empty environment: no group kill and no marker reach it.
                using var detached = System.Text.Json.JsonDocument.Parse(await client.ExecuteRawAsync("spawn_detached_without_environment"));
                unmarked = detached.RootElement.GetProperty("child").GetInt32();
                leftovers.Add(unmarked);
                await host.StopAsync();
            }

            // The first silo's cgroup of worker cgroups (where the silo can write cgroups, as on the CI machine).
            var firstCgroup = Cgroup2.PathOf(workers[0]) is { } workerPath && Cgroup2.Own() is var (ownDirectory, ownPath)
                && workerPath.StartsWith(ownPath.TrimEnd('/') + "/dspex-", StringComparison.Ordinal)
                ? Path.Combine(ownDirectory, workerPath[(ownPath.TrimEnd('/').Length + 1)..].Split('/')[0])
                : null;
            Assert.True(firstCgroup is not null && Directory.Exists(firstCgroup), $"worker {workers[0]} is not in a worker cgroup ({Cgroup2.PathOf(workers[0])})");

            Assert.Equal(workers.Order(), children.Select(c => c.Worker).Distinct().Order());
            var frozen = children[0].Worker;
            var child = children[0].Child;
            var others = workers.Where(pid => pid != frozen).ToList();
            var childrenOfOthers = children.Where(c => c.Worker != frozen).Select(c => c.Child).ToList();
            // A stopped process cannot run its watchdog or read its stdin's EOF; the child has no watchdog at all.
            NativeSignals.SendToProcess(frozen, NativeSignals.SIGSTOP);
            await Eventually.HoldsAsync(() => File.ReadAllText($"/proc/{frozen}/stat").Split(") ")[1][0] == 'T', $"worker {frozen} stopped");

            // The silo's death watch would end the frozen worker at once (SIGKILL needs no cooperation): end the watch
            // first, so what is left is for the restarted silo's start sweep, the fallback when the watch is gone too.
            // The silo is stopped meanwhile, so it cannot start its watch again.
            var deathWatch = DeathWatchOf(first.Pid);
            NativeSignals.SendToProcess(first.Pid, NativeSignals.SIGSTOP);
            OsProcesses.Kill(deathWatch);
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(deathWatch), $"death watch {deathWatch} gone");

            var clock = Stopwatch.StartNew();
            first.Kill();
            // A worker that sees its silo gone ends its whole process group, so its children go with it.
            await Eventually.HoldsAsync(() => others.Concat(childrenOfOthers).All(pid => !OsProcesses.IsAlive(pid)),
                "the unfrozen workers and their children gone by the workers' own watchdog");
            output.WriteLine($"measured: SIGKILL -> last unfrozen worker and its children gone: {clock.ElapsedMilliseconds} ms");
            Assert.True(OsProcesses.IsAlive(frozen), "the frozen worker cannot have exited by itself");
            Assert.True(OsProcesses.IsAlive(child), "the child its code spawned has no watchdog");

            restarted = RealSiloProcess.Start(settings);
            await restarted.Warm;
            // The start sweep finished before the pool warmed up, and it ran after the restart began.
            Assert.False(OsProcesses.IsAlive(frozen), $"frozen worker {frozen} survived the start sweep");
            Assert.False(OsProcesses.IsAlive(child), $"child {child} of the frozen worker survived the group kill");
            // Issue 20: the detached process with no marker was left by the watchdogs' group kills; the dead silo's
            // worker cgroups are ended by the start sweep, and removed.
            Assert.False(OsProcesses.IsAlive(unmarked), $"unmarked detached process {unmarked} of the SIGKILLed silo's worker survived the start sweep");
            Assert.False(Directory.Exists(firstCgroup), $"the SIGKILLed silo's cgroup {firstCgroup} is left");
            output.WriteLine($"measured: SIGKILL -> frozen worker and every child gone (restart + start sweep): {clock.ElapsedMilliseconds} ms");
            // Logged before the ready line, but through the logger's queue: it may reach the pipe after it.
            var sweepLine = await restarted.LoggedLineAsync(l => l.Contains("start sweep on", StringComparison.Ordinal), "the start sweep's report");
            Assert.Single(restarted.Output.Split('\n'), l => l.Contains("start sweep on", StringComparison.Ordinal));
            output.WriteLine(sweepLine);
            Assert.Contains("found 1,", sweepLine);
            Assert.Contains("errors 0", sweepLine);

            var registryFile = Assert.Single(state.RegistryFiles(settings.ClusterId)); // the dead incarnation's file is gone
            var newWorkers = RegistryFiles.Read(registryFile).Content!.Processes.Select(r => r.Pid).ToList();
            leftovers.AddRange(newWorkers);
            Assert.Equal(2, newWorkers.Count);

            var exitCode = await restarted.StopAsync();
            Assert.True(exitCode == 0, $"the restarted silo exited with {exitCode}:\n{restarted.Output}");
            Assert.All(newWorkers, pid => Assert.False(OsProcesses.IsAlive(pid), $"worker {pid} outlived its silo's clean stop"));
            Assert.Empty(state.RegistryFiles(settings.ClusterId));
        }
        finally
        {
            foreach (var pid in leftovers.Where(OsProcesses.IsAlive))
            {
                OsProcesses.Kill(pid);
            }

            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    /// <summary>The silo's death watch: its child running dspex/deathwatch.py.</summary>
    internal static int DeathWatchOf(int siloPid) =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Single(pid => pid > 0 && ParentOf(pid) == siloPid && OsProcesses.CommandLine(pid).Contains("deathwatch.py", StringComparison.Ordinal));

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
