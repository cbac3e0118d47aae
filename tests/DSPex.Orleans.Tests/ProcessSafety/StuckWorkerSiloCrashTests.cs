using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// A real silo SIGKILLed while both its workers spin in C holding the GIL: neither the bridge's watchdog thread nor
/// its stdin reader can run, so only a mechanism outside the worker's interpreter (the silo's death watch) ends them.
/// Nothing else is running that could: no peer silo sweeps, no restart. The elapsed time is a measurement, printed.
/// </summary>
[Trait("Category", "Process")]
public sealed class StuckWorkerSiloCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Workers_stuck_in_C_holding_the_GIL_and_what_they_spawned_are_ended_when_their_silo_is_SIGKILLed()
    {
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.Fresh(state.Path) with
        {
            // The silo's own hang detection must not end the workers first: only the silo's death may.
            Extra = new Dictionary<string, string> { ["DSPex:Pool:HeartbeatTimeout"] = "00:10:00", ["DSPex:Pool:RequestTimeout"] = "00:10:00" },
        };
        var leftovers = new List<int>();
        await using var silo = RealSiloProcess.Start(settings);
        try
        {
            await silo.Warm;
            var (host, client) = await silo.ConnectAsync();
            using var clientHost = host;
            var workers = (await client.GetClusterStatsAsync()).Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid).ToList();
            leftovers.AddRange(workers);
            Assert.Equal(2, workers.Count);

            // A child in each worker's group (the pool picks the worker, so ask until both have one).
            var children = new Dictionary<int, int>();
            for (var attempt = 0; attempt < 50 && children.Count < workers.Count; attempt++)
            {
                var spawned = await client.ExecuteResponseAsync("spawn_child", """{"detach": false}""");
                Assert.True(spawned.IsSuccess, spawned.Error?.Message);
                var child = System.Text.Json.JsonSerializer.Deserialize<int>(spawned.ResultJson!);
                leftovers.Add(child);
                children.TryAdd(spawned.WorkerPid, child);
            }

            Assert.Equal(workers.Order(), children.Keys.Order());

            var started = workers.Select((_, i) => Path.Combine(state.Path, $"gil-{i}")).ToList();
            var stuck = started.Select(file => client.ExecuteResponseAsync("hold_gil_in_c", $$"""{"started_file": "{{file}}"}""",
                new ExecuteOptions { Timeout = TimeSpan.FromMinutes(10) }).AsTask()).ToList();
            await Eventually.HoldsAsync(() => started.All(File.Exists), "both workers spinning in C with the GIL held");
            var spinning = started.Select(file => int.Parse(File.ReadAllText(file))).Order().ToList();
            Assert.Equal(workers.Order(), spinning);

            var clock = Stopwatch.StartNew();
            silo.Kill();
            await Eventually.HoldsAsync(() => workers.Concat(children.Values).All(pid => !OsProcesses.IsAlive(pid)),
                "the stuck workers and their children gone after their silo's SIGKILL", TestBounds.Exit);
            output.WriteLine($"measured: SIGKILL of silo pid {silo.Pid} -> both GIL-holding workers and their children gone: {clock.ElapsedMilliseconds} ms");
            // The calls cannot succeed; how a call learns its silo is gone is the client's fail-over, not this test's
            // subject. They end when the client host is disposed.
            _ = Task.WhenAll(stuck).ContinueWith(t => t.Exception, TaskScheduler.Default);
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
