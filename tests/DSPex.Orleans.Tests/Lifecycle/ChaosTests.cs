using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// Workers killed at random under load. The victims and the pacing come from a seeded generator; the seed is printed
/// (replay with DSPEX_TEST_SEED). Which call a kill lands on still depends on the machine's timing.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_load_with_workers_killed_at_random_every_request_ends_typed_and_nothing_leaks()
    {
        var cluster = await TestClusters.StartAsync(1, new Dictionary<string, string> { ["Size"] = "3" });
        try
        {
            var client = new DSPexClient(cluster.Client);
            var pool = cluster.PrimaryPool();
            using var loadDone = new CancellationTokenSource();

            var callers = Enumerable.Range(0, 6).Select(async _ =>
            {
                var outcomes = new List<string>();
                for (var i = 0; i < 30; i++)
                {
                    try
                    {
                        await client.ExecuteRawAsync("sleep", """{"seconds":0.02}""");
                        outcomes.Add("ok");
                    }
                    catch (DSPexException e)
                    {
                        outcomes.Add(e.Kind.ToString());
                    }
                }

                return outcomes;
            }).ToList();

            var random = new Random(TestSeed.Next(output));
            var killed = new List<int>();
            var killer = Task.Run(async () =>
            {
                while (killed.Count < 5 && !loadDone.IsCancellationRequested)
                {
                    var live = (await pool.GetStatsAsync()).WorkerDetails.Where(w => w.Pid != 0 && w.State == "busy").ToList();
                    if (live.Count > 0)
                    {
                        var victim = live[random.Next(live.Count)].Pid;
                        NativeSignals.SendToProcess(victim, NativeSignals.SIGKILL);
                        killed.Add(victim);
                    }

                    // Pacing of the chaos, not synchronisation: kills land at random points of the load.
                    await Task.Delay(random.Next(50, 200));
                }
            });

            // The bound is a hang guard for a broken build, not a timing assertion.
            var results = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(3));
            loadDone.Cancel();
            await killer;

            var outcomes = results.SelectMany(r => r).ToList();
            Assert.Equal(180, outcomes.Count);
            Assert.All(outcomes, o => Assert.Contains(o, new[] { "ok", nameof(DSPexErrorKind.WorkerCrashed) }));
            Assert.Contains("ok", outcomes);
            Assert.NotEmpty(killed);

            var final = await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Workers == s.Size && s.Busy == 0, "pool back at size");
            Assert.All(killed, pid => Assert.False(OsProcesses.IsAlive(pid)));
            var ours = OwnBridgeProcesses(cluster.Options.ClusterId);
            Assert.Equal(final.WorkerDetails.Select(w => w.Pid).Order(), ours.Order());
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }

    /// <summary>Live bridge processes whose marker names this cluster.</summary>
    private static List<int> OwnBridgeProcesses(string clusterId) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && OsProcesses.IsAlive(pid) && OsProcesses.CommandLine(pid).Contains($"cluster={clusterId};", StringComparison.Ordinal))];
}
