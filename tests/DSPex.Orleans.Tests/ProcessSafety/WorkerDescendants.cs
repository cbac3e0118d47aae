using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>A process a worker's code started (the test adapter's spawn_* commands): the worker, the process, whether it left the worker's session.</summary>
public sealed record SpawnedDescendant(int Worker, int Child, bool Detached);

/// <summary>
/// What the tests of processes a worker's code leaves behind share (DetachedGrandchildTests, UnmarkedDescendantTests):
/// a one-silo reaper cluster with decoys ended by pid whatever happens, and a spawn that checks the process left its
/// worker's session and group.
/// </summary>
public static class WorkerDescendants
{
    /// <summary>Runs the test against a fresh one-silo reaper cluster (its sweep reminder far off: the tests sweep when they mean to).</summary>
    public static async Task WithClusterAsync(Dictionary<string, string> settings, Func<TestCluster, DSPexClient, DecoyProcesses, Task> test)
    {
        using var state = new TemporaryDirectory();
        var cluster = await ReaperTestClusters.StartAsync(1, state.Path, sweepPeriod: TimeSpan.FromMinutes(10), settings);
        try
        {
            await using var decoys = new DecoyProcesses();
            await test(cluster, new DSPexClient(cluster.Client), decoys);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    /// <summary>Runs a spawn_* command; the process it started is ended by pid at the end, whatever happens.</summary>
    public static async Task<SpawnedDescendant> SpawnAsync(DSPexClient client, DecoyProcesses decoys, string command)
    {
        var spawned = JsonSerializer.Deserialize<SpawnedDescendant>(await client.ExecuteRawAsync(command), JsonSerializerOptions.Web)!;
        decoys.Track(spawned.Child);
        return spawned;
    }

    /// <summary>Runs a spawn_* command whose process leaves its worker's session, and checks it did.</summary>
    public static async Task<SpawnedDescendant> SpawnDetachedAsync(DSPexClient client, DecoyProcesses decoys, string command, ITestOutputHelper output)
    {
        var spawned = await SpawnAsync(client, decoys, command);
        output.WriteLine($"worker {spawned.Worker} (cgroup {Cgroup2.PathOf(spawned.Worker)}) spawned {spawned.Child} (detached: {spawned.Detached})");
        Assert.True(spawned.Detached, "the process did not leave its worker's session");
        var child = LinuxProcess.Read(spawned.Child)!;
        // Out of the worker's session (the bridge leads its own): a group kill of the worker does not reach it.
        Assert.True(child.SessionId != spawned.Worker && child.ProcessGroupId != spawned.Worker, "the process left its worker's session and group");
        return spawned;
    }

    /// <summary>Present in /proc at all: a zombie nobody reaped still counts.</summary>
    public static bool Exists(int pid) => LinuxProcess.Read(pid) is not null;
}
