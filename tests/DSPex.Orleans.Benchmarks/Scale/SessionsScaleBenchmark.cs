using System.Diagnostics;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// Sessions at scale on one silo (in this process, so its managed heap can be read) with a real redis-server:
/// N sessions created, each used once, left idle. Measures the creation rate, the memory an idle session costs while
/// its grain is in memory and after Orleans collected it, the Redis commands per session operation (INFO
/// commandstats before and after each phase), and how long until Redis holds none of them once their TTL passed.
/// </summary>
public static class SessionsScaleBenchmark
{
    private static readonly string[] Housekeeping = ["info", "ping", "client", "cluster", "config", "echo", "subscribe", "select", "hello", "auth", "script", "command", "dbsize"];

    public sealed record Phase(string Name, int Operations, double Seconds, double PerSecond, double CommandsPerOperation, double WritesPerOperation, Dictionary<string, long> Commands);

    public sealed record Figures(
        string Command, DateTimeOffset StartedAt, int Sessions, double TtlSeconds, int PoolSize,
        List<Phase> Phases,
        long HeapBaselineBytes, long HeapIdleActiveBytes, long HeapIdleCollectedBytes,
        long RssBaselineBytes, long RssIdleActiveBytes, long RssIdleCollectedBytes,
        double HeapBytesPerActiveIdleSession, double RssBytesPerActiveIdleSession, double HeapBytesPerCollectedSession,
        double CollectSeconds, double RedisBytesPerSession, double ExpirySecondsAfterLastWrite, long KeysLeft);

    public static async Task<int> RunAsync(int sessions, TimeSpan ttl, string python, string outputDirectory)
    {
        Console.WriteLine($"sessions-scale: {sessions} sessions, TTL {ttl.TotalSeconds} s, one silo in this process, redis-server");
        await using var redis = await RedisProcess.StartAsync();
        await using var silos = await InProcessSilos.StartAsync("sessions", 1, 2, python, s =>
        {
            s.RedisConnectionString = redis.ConnectionString;
            s.IdleDeactivationAge = TimeSpan.FromHours(1);
        });
        var client = silos.Client;
        var management = silos.OrleansClient.GetGrain<IManagementGrain>(0);
        await client.ExecuteRawAsync("pid");
        var redisBaseline = redis.ResidentBytes();
        var heap0 = ScaleReport.ManagedHeapAfterFullGc();
        var rss0 = ScaleReport.OwnResidentBytes();
        var ids = Enumerable.Range(0, sessions).Select(i => $"scale-{i}").ToArray();
        var options = new SessionOptions(Ttl: ttl);
        var phases = new List<Phase>();
        var sample = ids.Take(Math.Min(sessions, 2000)).ToArray();

        phases.Add(await PhaseAsync(redis, "create", ids, id => client.Session(id, options).CreateAsync()));
        phases.Add(await PhaseAsync(redis, "first call (follows a worker: written)", ids, id => client.Session(id, options).ExecuteRawAsync("pid")));
        phases.Add(await PhaseAsync(redis, "call that sets a variable", sample,
            id => client.Session(id, options).ExecuteRawAsync("remember", """{"name":"n","value":1}""")));
        // Last, so these sessions leave memory with an access not yet written: the collection writes it.
        phases.Add(await PhaseAsync(redis, "call that changes nothing", sample, id => client.Session(id, options).ExecuteRawAsync("pid")));
        var lastWrite = Stopwatch.StartNew();

        var heap1 = ScaleReport.ManagedHeapAfterFullGc();
        var rss1 = ScaleReport.OwnResidentBytes();
        var redisBytes = redis.ResidentBytes() - redisBaseline;
        Console.WriteLine($"  idle, in memory: heap +{ScaleReport.Mib(heap1 - heap0)}, RSS +{ScaleReport.Mib(rss1 - rss0)}; redis +{ScaleReport.Mib(redisBytes)}");

        var before = await redis.CommandCallsAsync();
        var collect = Stopwatch.StartNew();
        await management.ForceActivationCollection(TimeSpan.Zero);
        while (await SessionActivationsAsync(management) > 0)
        {
            await Task.Delay(200);
        }

        collect.Stop();
        phases.Add(Summarise("collection (writes the counters of unwritten calls)", sessions, collect.Elapsed, before, await redis.CommandCallsAsync()));
        var heap2 = ScaleReport.ManagedHeapAfterFullGc();
        var rss2 = ScaleReport.OwnResidentBytes();
        Console.WriteLine($"  collected in {collect.Elapsed.TotalSeconds:0.0} s: heap +{ScaleReport.Mib(heap2 - heap0)}, RSS +{ScaleReport.Mib(rss2 - rss0)}");

        // The collection wrote the sessions whose last calls wrote nothing; their keys expire TTL after their last access.
        lastWrite.Restart();
        long keys;
        var bound = ttl * 2 + TimeSpan.FromMinutes(2);
        while ((keys = await redis.KeyCountAsync()) > 0 && lastWrite.Elapsed < bound)
        {
            await Task.Delay(500);
        }

        Console.WriteLine($"  redis keys: {keys} left {lastWrite.Elapsed.TotalSeconds:0.0} s after the last write (TTL {ttl.TotalSeconds} s)");
        var figures = new Figures(
            ScaleReport.Command(), DateTimeOffset.UtcNow, sessions, ttl.TotalSeconds, 2, phases,
            heap0, heap1, heap2, rss0, rss1, rss2,
            (heap1 - heap0) / (double)sessions, (rss1 - rss0) / (double)sessions, (heap2 - heap0) / (double)sessions,
            collect.Elapsed.TotalSeconds, redisBytes / (double)sessions, lastWrite.Elapsed.TotalSeconds, keys);
        ScaleReport.Write(outputDirectory, "sessions-scale", figures, Markdown(figures));
        return keys == 0 ? 0 : 1;
    }

    private static async Task<Phase> PhaseAsync(RedisProcess redis, string name, string[] ids, Func<string, Task> call)
    {
        var before = await redis.CommandCallsAsync();
        var clock = Stopwatch.StartNew();
        await ScaleReport.ForEachAsync(ids, 64, call);
        clock.Stop();
        var phase = Summarise(name, ids.Length, clock.Elapsed, before, await redis.CommandCallsAsync());
        Console.WriteLine($"  {name}: {phase.PerSecond:0}/s, {phase.CommandsPerOperation:0.00} Redis commands and {phase.WritesPerOperation:0.00} writes per operation");
        return phase;
    }

    private static Phase Summarise(string name, int operations, TimeSpan elapsed, Dictionary<string, long> before, Dictionary<string, long> after)
    {
        var commands = after.Where(kv => !Housekeeping.Contains(kv.Key.Split('|')[0]))
            .Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(kv => kv.Count > 0)
            .ToDictionary(kv => kv.Key, kv => kv.Count);
        return new Phase(name, operations, Math.Round(elapsed.TotalSeconds, 2), Math.Round(operations / elapsed.TotalSeconds, 1),
            Math.Round(commands.Values.Sum() / (double)operations, 3), Math.Round(commands.GetValueOrDefault("hmset") / (double)operations, 3), commands);
    }

    private static async Task<int> SessionActivationsAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains("SessionGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);

    private static IEnumerable<string> Markdown(Figures f)
    {
        yield return "# Sessions at scale";
        yield return "";
        yield return $"`{f.Command}` — {f.StartedAt:u}; {f.Sessions} sessions, TTL {f.TtlSeconds} s, one silo (in the benchmark process) with a pool of {f.PoolSize}, a real redis-server.";
        yield return "";
        yield return "| phase | operations | per second | Redis commands / op | writes (HMSET) / op | commands |";
        yield return "|---|---:|---:|---:|---:|---|";
        foreach (var p in f.Phases)
        {
            yield return $"| {p.Name} | {p.Operations} | {p.PerSecond:0} | {p.CommandsPerOperation:0.00} | {p.WritesPerOperation:0.00} | {string.Join(", ", p.Commands.Select(c => $"{c.Key} {c.Value}"))} |";
        }

        yield return "";
        yield return "| memory | managed heap | process RSS |";
        yield return "|---|---:|---:|";
        yield return $"| per idle session, grain in memory | {f.HeapBytesPerActiveIdleSession:0} B | {f.RssBytesPerActiveIdleSession:0} B |";
        yield return $"| per idle session, grain collected | {f.HeapBytesPerCollectedSession:0} B | {(f.RssIdleCollectedBytes - f.RssBaselineBytes) / (double)f.Sessions:0} B (the GC keeps pages it grew into) |";
        yield return $"| in Redis per session | | {f.RedisBytesPerSession:0} B (redis-server RSS) |";
        yield return "";
        yield return $"Collecting every idle session grain took {f.CollectSeconds:0.0} s. Redis held {f.KeysLeft} session keys {f.ExpirySecondsAfterLastWrite:0.0} s after the last write (TTL {f.TtlSeconds} s).";
    }
}
