using System.Collections.Concurrent;
using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// A mixed load for a given time on one silo in this process (sessions in a real redis-server): stateless calls,
/// session calls that set variables and run programs, streams, failing calls, cancelled calls, and a worker killed by
/// pid every <see cref="KillEvery"/>. Samples the process (silo) RSS, managed heap, open fds and threads, and the
/// workers' RSS; reports each one's slope per hour (least squares over the samples after the first tenth of the run)
/// and the errors by what was called and how it failed. Expected errors (raised, cancelled, crashed by a kill) are
/// counted apart from the rest.
/// </summary>
public static class SoakBenchmark
{
    private static readonly TimeSpan KillEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private const int Callers = 8;
    private const int SessionIds = 500;

    public sealed record Sample(double Seconds, long RssBytes, long HeapBytes, long PythonRssBytes, int OpenFds, int Threads, long RedisRssBytes, long Calls);

    public sealed record Slope(string Series, double First, double Last, double PerHour, double PerHourPercentOfMean);

    public sealed record Figures(
        string Command, DateTimeOffset StartedAt, double Seconds, long Calls, int WorkerKills, Dictionary<string, long> Actions,
        Dictionary<string, long> ExpectedErrors, Dictionary<string, long> UnexpectedErrors, List<Slope> Slopes, List<Sample> Samples);

    public static async Task<int> RunAsync(TimeSpan duration, string python, string outputDirectory)
    {
        Console.WriteLine($"soak: {duration} of mixed load, one silo in this process (pool of 2), sessions in redis-server");
        await using var redis = await RedisProcess.StartAsync();
        await using var silos = await InProcessSilos.StartAsync("soak", 1, 2, python, s =>
        {
            s.RedisConnectionString = redis.ConnectionString;
            s.IdleDeactivationAge = TimeSpan.FromMinutes(2);
        });
        var client = silos.Client;
        var actions = new ConcurrentDictionary<string, long>();
        var expected = new ConcurrentDictionary<string, long>();
        var unexpected = new ConcurrentDictionary<string, long>();
        var samples = new List<Sample>();
        var kills = 0;
        long calls = 0;
        var clock = Stopwatch.StartNew();
        using var end = new CancellationTokenSource(duration);

        var load = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            while (!end.IsCancellationRequested)
            {
                var (action, expectedKinds) = Pick(random);
                actions.AddOrUpdate(action, 1, (_, n) => n + 1);
                try
                {
                    await RunActionAsync(client, action, random);
                    if (expectedKinds.Length > 0)
                    {
                        unexpected.AddOrUpdate($"{action}: succeeded", 1, (_, n) => n + 1);
                    }
                }
                catch (Exception e)
                {
                    var kind = e is DSPexException typed ? typed.Kind.ToString() : e is OperationCanceledException ? "Cancelled" : e.GetType().Name;
                    var crashed = kind is nameof(DSPexErrorKind.WorkerCrashed) or nameof(DSPexErrorKind.SessionWorkerUnavailable);
                    var errors = expectedKinds.Contains(kind) || crashed ? expected : unexpected;
                    errors.AddOrUpdate($"{action}: {kind}", 1, (_, n) => n + 1);
                    if (errors == unexpected && unexpected.Values.Sum() <= 5)
                    {
                        Console.WriteLine($"  unexpected {action}: {e.GetType().Name}: {e.Message}");
                    }
                }

                Interlocked.Increment(ref calls);
            }
        })).ToList();

        var killer = Task.Run(async () =>
        {
            while (!end.IsCancellationRequested)
            {
                await Task.Delay(KillEvery, end.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (end.IsCancellationRequested)
                {
                    return;
                }

                var pids = silos.Cluster.WorkerPids();
                if (pids.Count > 0)
                {
                    OsProcess.Signal(pids[kills % pids.Count], OsProcess.SIGKILL);
                    Interlocked.Increment(ref kills);
                }
            }
        });

        while (!end.IsCancellationRequested)
        {
            var sample = new Sample(
                Math.Round(clock.Elapsed.TotalSeconds, 1), ScaleReport.OwnResidentBytes(), GC.GetTotalMemory(forceFullCollection: false),
                silos.Cluster.WorkerResidentBytes().Sum(), Count("/proc/self/fd"), Count("/proc/self/task"), redis.ResidentBytes(), Interlocked.Read(ref calls));
            samples.Add(sample);
            Console.WriteLine($"  {sample.Seconds,6:0} s  rss {ScaleReport.Mib(sample.RssBytes)}  heap {ScaleReport.Mib(sample.HeapBytes)}  python {ScaleReport.Mib(sample.PythonRssBytes)}  fds {sample.OpenFds}  threads {sample.Threads}  calls {sample.Calls}");
            await Task.Delay(SampleEvery, end.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await Task.WhenAll(load.Append(killer));
        var figures = new Figures(
            ScaleReport.Command(), DateTimeOffset.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 1), calls, kills,
            Sorted(actions), Sorted(expected), Sorted(unexpected), Slopes(samples), samples);
        ScaleReport.Write(outputDirectory, "soak", figures, Markdown(figures));
        return figures.UnexpectedErrors.Count == 0 ? 0 : 1;
    }

    private static (string Action, string[] ExpectedKinds) Pick(Random random) => random.Next(100) switch
    {
        < 40 => ("stateless ping", []),
        < 55 => ("session variable", []),
        < 70 => ("session program", []),
        < 80 => ("stream", []),
        < 90 => ("failing call", [nameof(DSPexErrorKind.PythonException)]),
        _ => ("cancelled call", ["Cancelled"]),
    };

    private static async Task RunActionAsync(DSPexClient client, string action, Random random)
    {
        var session = client.Session($"soak-{random.Next(SessionIds)}", new SessionOptions(Ttl: TimeSpan.FromMinutes(1)));
        switch (action)
        {
            case "stateless ping":
                await client.ExecuteRawAsync("ping");
                break;
            case "session variable":
                await session.ExecuteRawAsync("remember", $$"""{"name":"n","value":{{random.Next(10)}}}""");
                break;
            case "session program":
                if (!(await session.ListProgramsAsync()).Any(p => p.ProgramId == "greet"))
                {
                    await session.CreateProgramAsync("greet", new { type = "template", template = "Hello {name}" });
                }

                await session.ExecuteProgramRawAsync("greet", """{"name":"soak"}""");
                break;
            case "stream":
                await foreach (var _ in client.StreamRawAsync("numbers", """{"count":20}"""))
                {
                }

                break;
            case "failing call":
                await client.ExecuteRawAsync("raise_error", """{"message":"soak"}""");
                break;
            default:
                using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(20)))
                {
                    await client.ExecuteRawAsync("sleep", """{"seconds":5}""", cancellationToken: cancel.Token);
                }

                break;
        }
    }

    private static int Count(string directory)
    {
        try
        {
            return Directory.GetFileSystemEntries(directory).Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static Dictionary<string, long> Sorted(ConcurrentDictionary<string, long> counts) =>
        counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Least-squares slope per hour of each series, over the samples after the first tenth of the run (start-up and JIT).</summary>
    private static List<Slope> Slopes(List<Sample> samples)
    {
        var settled = samples.Skip(samples.Count / 10).ToList();
        return
        [
            SlopeOf("process RSS (silo) bytes", settled, s => s.RssBytes),
            SlopeOf("managed heap bytes", settled, s => s.HeapBytes),
            SlopeOf("Python workers RSS bytes", settled, s => s.PythonRssBytes),
            SlopeOf("open fds", settled, s => s.OpenFds),
            SlopeOf("threads", settled, s => s.Threads),
            SlopeOf("redis-server RSS bytes", settled, s => s.RedisRssBytes),
        ];
    }

    private static Slope SlopeOf(string name, List<Sample> samples, Func<Sample, double> value)
    {
        if (samples.Count < 2)
        {
            return new Slope(name, 0, 0, 0, 0);
        }

        var meanX = samples.Average(s => s.Seconds);
        var meanY = samples.Average(value);
        var covariance = samples.Sum(s => (s.Seconds - meanX) * (value(s) - meanY));
        var variance = samples.Sum(s => (s.Seconds - meanX) * (s.Seconds - meanX));
        var perHour = variance == 0 ? 0 : covariance / variance * 3600;
        return new Slope(name, value(samples[0]), value(samples[^1]), Math.Round(perHour, 1), meanY == 0 ? 0 : Math.Round(perHour / meanY * 100, 2));
    }

    private static IEnumerable<string> Markdown(Figures f)
    {
        yield return "# Soak";
        yield return "";
        yield return $"`{f.Command}` — {f.StartedAt:u}; {f.Seconds:0} s, {f.Calls} calls by {Callers} callers, {f.WorkerKills} workers killed by pid (one every {KillEvery.TotalSeconds:0} s). One silo in the benchmark process (pool of 2), sessions in a real redis-server; samples every {SampleEvery.TotalSeconds:0} s.";
        yield return "";
        yield return "| series | first | last | slope per hour | slope per hour, % of mean |";
        yield return "|---|---:|---:|---:|---:|";
        foreach (var s in f.Slopes)
        {
            yield return $"| {s.Series} | {s.First:0} | {s.Last:0} | {s.PerHour:0} | {s.PerHourPercentOfMean:0.##} % |";
        }

        yield return "";
        yield return "| calls | count |";
        yield return "|---|---:|";
        foreach (var (action, count) in f.Actions)
        {
            yield return $"| {action} | {count} |";
        }

        yield return "";
        yield return $"Expected errors (raised, cancelled, lost to a killed worker): {(f.ExpectedErrors.Count == 0 ? "none" : string.Join(", ", f.ExpectedErrors.Select(e => $"{e.Key} {e.Value}")))}.";
        yield return "";
        yield return $"Unexpected errors: {(f.UnexpectedErrors.Count == 0 ? "none" : string.Join(", ", f.UnexpectedErrors.Select(e => $"{e.Key} {e.Value}")))}.";
    }
}
