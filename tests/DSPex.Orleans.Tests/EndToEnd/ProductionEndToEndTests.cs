using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// The production shape in separate processes on loopback: a real Redis, two real silo processes using it for
/// membership, reminders and sessions, and this test process as the client. One silo is SIGKILLed under load;
/// the other carries on and is then stopped with SIGTERM.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ProductionEndToEndTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_silo_killed_under_load_loses_no_session_and_leaves_no_process_and_the_survivor_drains_cleanly()
    {
        using var state = new TemporaryDirectory();
        var clusterId = $"e2e-{Guid.NewGuid():N}";
        await using var doomed = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString));
        await doomed.Warm;
        await using var survivor = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString));
        await survivor.Warm;

        await using var clientHost = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = clusterId;
            o.RedisConnectionString = redis.ConnectionString;
        });
        var client = clientHost.Client;
        var stats = await Eventually.HoldsAsync(client.GetClusterStatsAsync, s => s.Pools.Count == 2, "both silos in the cluster");
        var doomedKey = stats.Pools.Single(p => p.Silo.Contains($":{doomed.Settings.SiloPort}@", StringComparison.Ordinal)).Silo;
        var doomedWorkers = stats.Pools.Single(p => p.Silo == doomedKey).WorkerDetails.Select(w => w.Pid).ToList();
        var survivorWorkers = stats.Pools.Single(p => p.Silo != doomedKey).WorkerDetails.Select(w => w.Pid).ToList();

        // Sessions that hold state, some of them on the silo about to die.
        var sessions = Enumerable.Range(0, 6).Select(i => client.Session($"e2e-{i}-{Guid.NewGuid():N}")).ToList();
        foreach (var session in sessions)
        {
            await session.CreateProgramAsync("greet", new { type = "template", template = "Hello {name}" });
            await session.ExecuteRawAsync("remember", """{"name":"count","value":1}""");
        }

        // Load from several callers; every call either succeeds or fails with a typed error, and none hangs.
        using var stopLoad = new CancellationTokenSource();
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(long At, string Outcome)>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        // Half the callers mark their calls idempotent: a call lost with its silo is run again, so they never fail.
        var load = Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
        {
            var idempotent = caller % 2 == 0;
            while (!stopLoad.IsCancellationRequested)
            {
                string outcome;
                try
                {
                    await client.ExecuteRawAsync("sleep", """{"seconds":0.01}""", new ExecuteOptions { Idempotent = idempotent })
                        .WaitAsync(TimeSpan.FromSeconds(90));
                    outcome = "ok";
                }
                catch (DSPexException e)
                {
                    outcome = idempotent ? $"idempotent {e.Kind}" : e.Kind.ToString();
                    failures.Add(e.Message);
                }

                outcomes.Add((clock.ElapsedMilliseconds, outcome));
            }
        })).ToList();
        await Eventually.HoldsAsync(() => outcomes.Count(o => o.Outcome == "ok") >= 20, "load running");

        var killedAt = clock.ElapsedMilliseconds;
        doomed.Kill();
        await Eventually.HoldsAsync(() => outcomes.Any(o => o.At > killedAt && o.Outcome == "ok"), "a call succeeded after the kill");
        var firstSuccess = outcomes.Where(o => o.At > killedAt && o.Outcome == "ok").Min(o => o.At);
        output.WriteLine($"measured: fail-over, SIGKILL -> first successful call through the other silo: {firstSuccess - killedAt} ms");

        // The dead silo's workers end by themselves (stdin EOF and their parent watchdog).
        await Eventually.HoldsAsync(() => doomedWorkers.All(pid => !OsProcesses.IsAlive(pid)), "the dead silo's Python workers gone");

        // Every session keeps its state: each is re-activated from Redis on the survivor if it lived on the dead one.
        foreach (var session in sessions)
        {
            var greeting = await Eventually.HoldsAsync(
                async () => await TryAsync(() => session.ExecuteProgramAsync<JsonElement>("greet", new { name = "again" })),
                r => r is not null, $"session {session.SessionId} answers after the fail-over", TimeSpan.FromMinutes(2));
            Assert.Equal("Hello again", greeting!.Value.GetProperty("text").GetString());
            Assert.Equal(1, await session.GetVariableAsync<int>("count"));
        }

        await Eventually.HoldsAsync(() => outcomes.Count(o => o.At > firstSuccess && o.Outcome == "ok") >= 20, "load carries on through the survivor");
        stopLoad.Cancel();
        await Task.WhenAll(load);
        var lastFailure = outcomes.Where(o => o.Outcome != "ok").Select(o => o.At).DefaultIfEmpty(killedAt).Max();
        output.WriteLine($"measured: SIGKILL -> last failed call: {lastFailure - killedAt} ms; outcomes: " +
            string.Join(", ", outcomes.GroupBy(o => o.Outcome).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var reason in failures.GroupBy(m => m.Length > 160 ? m[..160] : m).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  failure x{reason.Count()}: {reason.Key}");
        }
        // Idempotent calls never fail (an "idempotent ..." outcome is not allowed); the others fail only typed, as lost.
        Assert.All(outcomes, o => Assert.Contains(o.Outcome, new[] { "ok", "SiloUnavailable", "WorkerCrashed" }));

        // Once membership has declared the killed silo dead, a sweep finds nothing of it left to kill (its
        // workers ended themselves).
        await Eventually.HoldsAsync(client.GetClusterStatsAsync, s => s.Pools.Count == 1 && s.Unreachable.Count == 0,
            "membership has declared the killed silo dead", TimeSpan.FromMinutes(2));
        var sweep = await client.SweepAsync();
        Assert.All(sweep.Silos, r => Assert.Equal(0, r.Errors));
        Assert.All(doomedWorkers, pid => Assert.False(OsProcesses.IsAlive(pid)));

        // SIGTERM: the survivor drains, stops its workers and exits cleanly.
        await clientHost.DisposeAsync();
        var drain = Stopwatch.StartNew();
        Assert.Equal(0, await survivor.StopAsync());
        output.WriteLine($"measured: drain, SIGTERM -> silo process exited: {drain.ElapsedMilliseconds} ms");
        Assert.All(survivorWorkers, pid => Assert.False(OsProcesses.IsAlive(pid), $"worker {pid} outlived its silo's SIGTERM"));
        Assert.DoesNotContain(state.RegistryFiles(clusterId), f => f.Contains(survivor.Settings.SiloPort.ToString(), StringComparison.Ordinal));
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> call)
        where T : struct
    {
        try
        {
            return await call();
        }
        catch (DSPexException)
        {
            return null;
        }
    }
}
