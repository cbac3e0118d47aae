using DSPex.Orleans.Client;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// A worker's code may start a process that leaves the worker's group and session with setsid(), escaping the group
/// kill. The silo is a child subreaper, so such a process comes back to it and is ended (and reaped) with its worker.
/// </summary>
[Trait("Category", "Process")]
public sealed class DetachedGrandchildTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_detached_grandchild_ends_when_its_worker_crashes()
    {
        await WorkerDescendants.WithClusterAsync([], async (cluster, client, decoys) =>
        {
            var spawned = await SpawnDetachedAsync(client, decoys);
            OsProcesses.Kill(spawned.Worker);
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"detached grandchild {spawned.Child} ended and reaped after worker {spawned.Worker} was killed");
        });
    }

    [Fact]
    public async Task A_detached_grandchild_ends_when_its_worker_is_recycled()
    {
        await WorkerDescendants.WithClusterAsync(new() { ["DSPex:Pool:RecycleAfterRequests"] = "1", ["DSPex:Pool:RecycleJitter"] = "0" }, async (cluster, client, decoys) =>
        {
            var spawned = await SpawnDetachedAsync(client, decoys);
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(spawned.Worker), $"worker {spawned.Worker} recycled after its one request");
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"detached grandchild {spawned.Child} ended and reaped with its recycled worker");
        });
    }

    [Fact]
    public async Task A_detached_grandchild_ends_when_its_silo_stops()
    {
        await WorkerDescendants.WithClusterAsync([], async (cluster, client, decoys) =>
        {
            var spawned = await SpawnDetachedAsync(client, decoys);
            await cluster.StopAllSilosAsync();
            Assert.False(OsProcesses.IsAlive(spawned.Worker), $"worker {spawned.Worker} outlived its silo's stop");
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"detached grandchild {spawned.Child} ended and reaped at the silo's stop");
        });
    }

    [Fact]
    public async Task A_forked_copy_of_the_bridge_ends_when_its_worker_crashes_and_the_worker_is_replaced()
    {
        // Issue 20: fork, setsid, fork, no exec: the copy carries the bridge's command line (so it was taken for a
        // bridge and left alone) and holds the worker's pipes open (so the worker's end was never seen).
        await WorkerDescendants.WithClusterAsync([], async (cluster, client, decoys) =>
        {
            var spawned = await SpawnDetachedAsync(client, decoys, "spawn_forked_daemon");
            OsProcesses.Kill(spawned.Worker);
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"forked copy {spawned.Child} ended and reaped after worker {spawned.Worker} was killed");
            await Eventually.HoldsAsync(() => client.GetClusterStatsAsync(),
                stats => stats.Pools.Sum(p => p.Workers) == stats.Pools.Sum(p => p.Size) && stats.Pools.SelectMany(p => p.WorkerDetails).All(w => w.Pid != spawned.Worker),
                "the crashed worker replaced");
            Assert.Equal("pong", await client.ExecuteAsync<string>("ping"));
        });
    }

    [Fact]
    public async Task A_forked_copy_of_the_bridge_ends_when_its_silo_stops()
    {
        await WorkerDescendants.WithClusterAsync([], async (cluster, client, decoys) =>
        {
            var spawned = await SpawnDetachedAsync(client, decoys, "spawn_forked_daemon");
            await cluster.StopAllSilosAsync();
            Assert.False(OsProcesses.IsAlive(spawned.Worker), $"worker {spawned.Worker} outlived its silo's stop");
            await Eventually.HoldsAsync(() => !WorkerDescendants.Exists(spawned.Child), $"forked copy {spawned.Child} ended and reaped at the silo's stop");
        });
    }

    [Fact]
    public async Task A_grandchild_orphaned_while_its_worker_lives_is_kept_and_reaped_by_a_sweep_once_it_exits()
    {
        await WorkerDescendants.WithClusterAsync([], async (cluster, client, decoys) =>
        {
            var spawned = await WorkerDescendants.SpawnAsync(client, decoys, "spawn_orphaned_grandchild");
            await Eventually.HoldsAsync(() => LinuxProcess.Read(spawned.Child)?.ParentPid == Environment.ProcessId,
                $"grandchild {spawned.Child} re-parented to the silo process (its parent exited)");

            var first = Assert.Single((await client.SweepAsync()).Silos);
            output.WriteLine($"{first}\n  {string.Join("\n  ", first.Details)}");
            Assert.True(OsProcesses.IsAlive(spawned.Child), "a live worker's grandchild was ended by a sweep");
            Assert.True(OsProcesses.IsAlive(spawned.Worker), "its worker was ended by a sweep");

            OsProcesses.Kill(spawned.Child); // it exits on its own: a zombie of the silo process until reaped
            await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(spawned.Child), $"grandchild {spawned.Child} exited");
            var second = Assert.Single((await client.SweepAsync()).Silos);
            output.WriteLine($"{second}\n  {string.Join("\n  ", second.Details)}");
            Assert.False(WorkerDescendants.Exists(spawned.Child), $"exited grandchild {spawned.Child} left as a zombie of the silo");
        });
    }

    private Task<SpawnedDescendant> SpawnDetachedAsync(DSPexClient client, DecoyProcesses decoys, string command = "spawn_detached_child") =>
        WorkerDescendants.SpawnDetachedAsync(client, decoys, command, output);
}
