using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// Fail-over as a caller sees it: three real silo processes on a real redis-server, sessions with a variable spread
/// over them, and a light stateless load running throughout. Each round SIGKILLs one silo and measures, for every
/// session whose last call ran on it, the time from the kill to its first successful call on a survivor (calls with a
/// 30 s deadline: the client sends them again across the loss, so an error here is a failed fail-over); then starts a
/// replacement silo. Reports p50 and max over all such sessions and the worst per kill, errors, variables lost, and
/// silos declared dead that were not killed (read from the Redis membership table). With --failover-soak, the load
/// then runs on for that long without kills and the count of silos declared dead is reported again.
/// </summary>
public static class FailoverBenchmark
{
    private const int SilosInCluster = 3;
    private const int SessionsPerRound = 12;
    private const int LoadCallers = 4;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);

    public sealed record Kill(int Round, int VictimPort, int SessionsOnVictim, double WorstMs, double[] SessionMs, int Errors);

    public static async Task<int> RunAsync(int kills, TimeSpan soak, string python, string outputDirectory, string command)
    {
        Console.WriteLine($"failover: {kills} SIGKILLs of one of {SilosInCluster} silo processes on redis-server, {SessionsPerRound} sessions per round, {LoadCallers} callers of stateless load");
        await using var redis = await RedisProcess.StartAsync();
        var clusterId = $"bench-failover-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        var variant = new SiloVariant("failover", null, new Dictionary<string, string> { ["DSPEX_DSPex__Silo__RedisConnectionString"] = redis.ConnectionString });
        var silos = new List<SiloChildProcess>();
        var ports = new Dictionary<SiloChildProcess, int>();
        var results = new List<Kill>();
        long loadCalls = 0, loadErrors = 0, variablesLost = 0, readErrors = 0;
        try
        {
            for (var i = 0; i < SilosInCluster; i++)
            {
                await StartSiloAsync();
            }

            await using var host = await DSPexClientHost.ConnectAsync(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ClusterSettings.ServiceId;
                o.RedisConnectionString = redis.ConnectionString;
            });
            var client = host.Client;
            await WaitForPoolsAsync(client, SilosInCluster);

            using var stopLoad = new CancellationTokenSource();
            var load = Enumerable.Range(0, LoadCallers).Select(_ => Task.Run(async () =>
            {
                while (!stopLoad.IsCancellationRequested)
                {
                    try
                    {
                        await client.ExecuteRawAsync("ping", "{}", new ExecuteOptions { Timeout = CallDeadline, Idempotent = true }, stopLoad.Token);
                        Interlocked.Increment(ref loadCalls);
                    }
                    catch (OperationCanceledException) when (stopLoad.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (DSPexException)
                    {
                        Interlocked.Increment(ref loadErrors);
                    }
                }
            })).ToList();

            for (var round = 1; round <= kills; round++)
            {
                var sessions = Enumerable.Range(0, SessionsPerRound).Select(i => client.Session($"failover-{round}-{i}-{Guid.NewGuid():N}")).ToList();
                var lastSilo = new Dictionary<DSPexSession, string?>();
                foreach (var session in sessions)
                {
                    await session.SetVariableAsync("round", round);
                    lastSilo[session] = (await session.ExecuteResponseAsync("ping")).WorkerId;
                }

                var victim = silos[Random.Shared.Next(silos.Count)];
                var victimPort = ports[victim];
                var onVictim = sessions.Where(s => lastSilo[s]?.Contains($":{victimPort}@", StringComparison.Ordinal) == true).ToList();
                var clock = Stopwatch.StartNew();
                OsProcess.Signal(victim.Pid, OsProcess.SIGKILL);
                var errors = 0;
                var times = await Task.WhenAll(onVictim.Select(async session =>
                {
                    while (true)
                    {
                        try
                        {
                            await session.ExecuteRawAsync("ping", "{}", new ExecuteOptions { Timeout = CallDeadline });
                            return clock.Elapsed.TotalMilliseconds;
                        }
                        catch (DSPexException e)
                        {
                            Interlocked.Increment(ref errors);
                            Console.WriteLine($"  round {round}: {e.GetType().Name}: {e.Message}");
                        }
                    }
                }));
                foreach (var session in sessions)
                {
                    try
                    {
                        if (await session.GetVariableAsync<int>("round") != round)
                        {
                            Interlocked.Increment(ref variablesLost);
                        }
                    }
                    catch (DSPexException e)
                    {
                        // A read through the dead gateway waits out Orleans' response timeout; counted, then read again.
                        Interlocked.Increment(ref readErrors);
                        Console.WriteLine($"  round {round}: variable read: {e.GetType().Name}: {e.Message}");
                        if (await session.GetVariableAsync<int>("round") != round)
                        {
                            Interlocked.Increment(ref variablesLost);
                        }
                    }
                }

                var kill = new Kill(round, victimPort, onVictim.Count, times.DefaultIfEmpty(0).Max(), times, errors);
                results.Add(kill);
                Console.WriteLine($"  kill {round}: silo :{victimPort}, {onVictim.Count} session(s) on it, worst {kill.WorstMs:0} ms, errors {errors}");
                silos.Remove(victim);
                await victim.DisposeAsync();
                await StartSiloAsync();
                await WaitForPoolsAsync(client, SilosInCluster);
            }

            var deadAfterKills = await DeclaredDeadAsync(redis, clusterId);
            var soakDead = deadAfterKills;
            if (soak > TimeSpan.Zero)
            {
                Console.WriteLine($"  soak: {soak} of load without kills");
                await Task.Delay(soak);
                soakDead = await DeclaredDeadAsync(redis, clusterId);
            }

            await stopLoad.CancelAsync();
            await Task.WhenAll(load);

            var all = results.SelectMany(r => r.SessionMs).Order().ToArray();
            var report = new StringBuilder()
                .AppendLine("# Fail-over (SIGKILL of one of three silo processes on Redis)")
                .AppendLine()
                .AppendLine($"Command: `{command}`. Membership: the silo's default (`DSPex:Silo:Membership:Preset` = fast-failover).")
                .AppendLine()
                .AppendLine($"| kills | sessions measured | p50 ms | max ms | errors seen by callers (30 s deadline) | variables lost | variable reads failed | silos declared dead | of them not killed | load calls | load errors |")
                .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|")
                .AppendLine($"| {results.Count} | {all.Length} | {Percentile(all, 0.5):0} | {all.DefaultIfEmpty(0).Max():0} | {results.Sum(r => r.Errors)} | {variablesLost} | {readErrors} | {deadAfterKills} | {deadAfterKills - results.Count} | {loadCalls} | {loadErrors} |")
                .AppendLine()
                .AppendLine($"Per kill (worst session, ms): {string.Join(", ", results.Select(r => $"{r.WorstMs:0} ({r.SessionsOnVictim})"))}")
                .AppendLine()
                .AppendLine(soak > TimeSpan.Zero ? $"Soak {soak} without kills: silos declared dead not killed: {soakDead - results.Count}" : "No soak run.")
                .ToString();
            Console.WriteLine(report);
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "failover.md"), report);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "failover.json"), JsonSerializer.Serialize(new { command, results, variablesLost, readErrors, deadAfterKills, soakDead, loadCalls, loadErrors }));
            return results.Sum(r => r.Errors) == 0 && variablesLost == 0 && soakDead == results.Count ? 0 : 1;
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }

        async Task StartSiloAsync()
        {
            var settings = new ClusterSettings(clusterId, FreePorts.Next(), FreePorts.Next(), 2, python);
            var silo = SiloChildProcess.Start(settings, variant);
            await silo.WaitUntilWarmAsync(TimeSpan.FromMinutes(3));
            silos.Add(silo);
            ports[silo] = settings.SiloPort;
        }
    }

    private static async Task WaitForPoolsAsync(DSPexClient client, int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while ((await client.GetClusterStatsAsync()).Pools.Count < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"the cluster did not reach {count} silos");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Silos the Redis membership table of the cluster lists as dead.</summary>
    private static async Task<int> DeclaredDeadAsync(RedisProcess redis, string clusterId)
    {
        var database = redis.Connection.GetDatabase();
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var dead = 0;
        await foreach (var key in server.KeysAsync(pattern: $"*{clusterId}*"))
        {
            if (await database.KeyTypeAsync(key) != StackExchange.Redis.RedisType.Hash)
            {
                continue;
            }

            foreach (var entry in await database.HashGetAllAsync(key))
            {
                var text = entry.Value.ToString();
                if (text.Contains("\"Status\":\"Dead\"", StringComparison.Ordinal) || text.Contains("\"Status\":6", StringComparison.Ordinal))
                {
                    dead++;
                }
            }
        }

        return dead;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
