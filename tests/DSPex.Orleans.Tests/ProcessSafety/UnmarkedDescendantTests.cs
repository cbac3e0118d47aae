using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// Issue 20: what a worker's code starts with setsid + exec and an empty environment carries no marker at all, so
/// nothing on it proves it is the worker's; before worker cgroups it survived the worker's crash and the silo's stop,
/// and once it exited it stayed a zombie of the silo. Each worker now runs in a cgroup of its own: what is in it is
/// the worker's, and ends with it. A co-hosting application's own daemon (a child of the silo process too, unmarked)
/// is never touched.
/// </summary>
[Trait("Category", "Process")]
public sealed class UnmarkedDescendantTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_process_detached_with_an_empty_environment_ends_when_its_worker_crashes()
    {
        await WithClusterAsync(async (cluster, client, decoys) =>
        {
            var spawned = await SpawnAsync(client, decoys, "spawn_detached_without_environment");
            OsProcesses.Kill(spawned.Worker);
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child),
                $"unmarked detached process {spawned.Child} ended and reaped after its worker {spawned.Worker} was killed");
            Assert.Equal("pong", await client.ExecuteAsync<string>("ping"));
        });
    }

    [Fact]
    public async Task A_process_detached_with_an_empty_environment_ends_when_its_silo_stops()
    {
        await WithClusterAsync(async (cluster, client, decoys) =>
        {
            var spawned = await SpawnAsync(client, decoys, "spawn_detached_without_environment");
            await cluster.StopAllSilosAsync();
            Assert.False(OsProcesses.IsAlive(spawned.Worker), $"worker {spawned.Worker} outlived its silo's stop");
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"unmarked detached process {spawned.Child} ended and reaped at the silo's stop");
        });
    }

    [Fact]
    public async Task An_unmarked_orphan_of_a_live_worker_is_kept_and_reaped_by_a_sweep_once_it_exits()
    {
        await WithClusterAsync(async (cluster, client, decoys) =>
        {
            var spawned = await SpawnAsync(client, decoys, "spawn_orphaned_without_environment");
            await Eventually.HoldsAsync(() => LinuxProcess.Read(spawned.Child)?.ParentPid == Environment.ProcessId,
                $"orphan {spawned.Child} re-parented to the silo process (its parent exited)");

            var first = Assert.Single((await client.SweepAsync()).Silos);
            output.WriteLine($"{first}\n  {string.Join("\n  ", first.Details)}");
            Assert.True(OsProcesses.IsAlive(spawned.Child), "a live worker's orphan was ended by a sweep");
            Assert.True(OsProcesses.IsAlive(spawned.Worker), "its worker was ended by a sweep");

            OsProcesses.Kill(spawned.Child); // it exits on its own: a zombie of the silo process until reaped
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(spawned.Child), $"orphan {spawned.Child} exited");
            var second = Assert.Single((await client.SweepAsync()).Silos);
            output.WriteLine($"{second}\n  {string.Join("\n  ", second.Details)}");
            Assert.False(WorkerDescendants.Exists(spawned.Child), $"exited unmarked orphan {spawned.Child} left as a zombie of the silo");
        });
    }

    [Fact]
    public async Task A_cohosting_applications_unmarked_daemon_survives_worker_crashes_sweeps_and_the_silos_stop()
    {
        // The test host is the silo process, and here it is also the co-hosting application: it starts a process
        // through .NET that daemonizes (fork, setsid, exec with an empty environment), so the daemon comes back to
        // the silo process (a child subreaper) exactly as a worker's would, with no marker.
        var daemon = 0;
        try
        {
            await WithClusterAsync(async (cluster, client, decoys) =>
            {
                // Started once the silo is a child subreaper, as a co-hosting application's would be.
                daemon = StartApplicationDaemon();
                await Eventually.HoldsAsync(() => LinuxProcess.Read(daemon)?.ParentPid == Environment.ProcessId,
                    $"the application's daemon {daemon} re-parented to the silo process");
                var spawned = await SpawnAsync(client, decoys, "spawn_detached_without_environment");
                OsProcesses.Kill(spawned.Worker);
                await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"the worker's detached process {spawned.Child} ended with its worker");
                Assert.True(OsProcesses.IsAlive(daemon), "the application's daemon was ended with a worker");

                var sweep = Assert.Single((await client.SweepAsync()).Silos);
                output.WriteLine($"{sweep}\n  {string.Join("\n  ", sweep.Details)}");
                Assert.True(OsProcesses.IsAlive(daemon), "the application's daemon was ended by a sweep");

                await cluster.StopAllSilosAsync();
                Assert.True(OsProcesses.IsAlive(daemon), "the application's daemon was ended at the silo's stop");
            });
        }
        finally
        {
            if (daemon > 0)
            {
                OsProcesses.Kill(daemon);
                await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(daemon), $"the application's daemon {daemon} exited");
                ChildSubreaper.TryReap(daemon); // the test's own now: nobody else reaps it
            }
        }
    }

    private async Task<SpawnedDescendant> SpawnAsync(DSPexClient client, DecoyProcesses decoys, string command)
    {
        var spawned = await WorkerDescendants.SpawnDetachedAsync(client, decoys, command, output);
        Assert.Null(LinuxProcess.Read(spawned.Child)!.MarkerText);
        Assert.Null(LinuxProcess.ReadEnvironmentMarker(spawned.Child)); // nothing on it names the worker
        return spawned;
    }

    /// <summary>fork; the child calls setsid and execs a sleeping python3 with an empty environment; the parent exits.</summary>
    private static int StartApplicationDaemon()
    {
        var start = new ProcessStartInfo(PythonInterpreter.Resolve("python3")) { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "import os, sys\n" +
            "pid = os.fork()\n" +
            "if pid == 0:\n" +
            "    os.setsid()\n" +
            "    devnull = os.open(os.devnull, os.O_RDWR)\n" +
            "    for fd in (0, 1, 2): os.dup2(devnull, fd)\n" +
            "    os.execve(sys.executable, [sys.executable, '-S', '-c', 'import time; time.sleep(600)'], {})\n" +
            "print(pid, flush=True)\n");
        using var parent = Process.Start(start)!;
        var daemon = int.Parse(parent.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        parent.WaitForExit();
        return daemon;
    }

    private static Task WithClusterAsync(Func<TestCluster, DSPexClient, DecoyProcesses, Task> test) =>
        WorkerDescendants.WithClusterAsync(new Dictionary<string, string>(), test);
}
