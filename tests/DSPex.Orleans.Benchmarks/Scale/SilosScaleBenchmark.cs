using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// The cluster-wide operations at 1, 2, 4 ... up to N silos in this process: for each, the grain calls every silo
/// received (by method) and the time it took. A grain call is two messages (request and response). The operations:
/// cluster stats (router fan-out to every pool), one client's call-state probe, a gateway loss seen by C clients at
/// once (each with a call in flight), and the reaper's sweep of every silo.
/// </summary>
public static class SilosScaleBenchmark
{
    public sealed record Operation(string Name, int Silos, int Repeats, double MedianMs, double CallsPerOperation, Dictionary<string, double> CallsByMethod);

    public sealed record Figures(string Command, DateTimeOffset StartedAt, int Clients, List<Operation> Operations);

    public static async Task<int> RunAsync(int maxSilos, int clients, string python, string outputDirectory)
    {
        var operations = new List<Operation>();
        var counts = new List<int>();
        for (var s = 1; s <= maxSilos; s *= 2)
        {
            counts.Add(s);
        }

        if (counts[^1] != maxSilos)
        {
            counts.Add(maxSilos);
        }

        foreach (var silos in counts)
        {
            Console.WriteLine($"silos-scale: {silos} silo(s) in this process ...");
            await using var cluster = await InProcessSilos.StartAsync($"silos{silos}", silos, 1, python);
            var client = cluster.Client;
            var router = cluster.OrleansClient.GetGrain<IRouterGrain>(0);
            await WaitForActiveSilosAsync(cluster, silos);
            // Warm: every pool, the reaper and the router activated once before anything is counted.
            await client.GetClusterStatsAsync();
            await client.SweepAsync();

            operations.Add(await MeasureAsync(cluster, "cluster stats", silos, 10, () => client.GetClusterStatsAsync()));
            operations.Add(await MeasureAsync(cluster, "call-state probe (one client)", silos, 10, () => router.GetCallStatesAsync([Guid.NewGuid()])));
            operations.Add(await MeasureAsync(cluster, "reaper sweep of every silo", silos, 3, () => client.SweepAsync()));
            operations.Add(await GatewayLossAsync(cluster, silos, clients));
        }

        foreach (var o in operations)
        {
            Console.WriteLine($"  {o.Silos} silos  {o.Name,-40} {o.MedianMs,8:0.0} ms  {o.CallsPerOperation,8:0.0} calls");
        }

        var figures = new Figures(ScaleReport.Command(), DateTimeOffset.UtcNow, clients, operations);
        ScaleReport.Write(outputDirectory, "silos-scale", figures, Markdown(figures));
        return 0;
    }

    /// <summary>C clients each with a call in flight lose a gateway together: the calls and time until every check ended.</summary>
    private static async Task<Operation> GatewayLossAsync(InProcessSilos cluster, int silos, int clients)
    {
        var callers = Enumerable.Range(0, clients).Select(_ => new DSPexClient(cluster.OrleansClient)).ToList();
        using var stop = new CancellationTokenSource();
        var calls = callers.Select(c => c.ExecuteRawAsync("sleep", """{"seconds":120}""", new ExecuteOptions { Timeout = TimeSpan.FromMinutes(3) }, stop.Token)).ToList();
        while (callers.Sum(c => c.CallsInFlight) < clients)
        {
            await Task.Delay(50);
        }

        // Queued calls are recorded by the router before they wait: wait until the stats see all of them.
        await Task.Delay(500);
        var before = cluster.Calls.Snapshot();
        var clock = Stopwatch.StartNew();
        foreach (var caller in callers)
        {
            caller.OnGatewayLost();
        }

        await Task.WhenAll(callers.Select(c => c.WhenGatewayLossHandledAsync()));
        clock.Stop();
        var counted = GrainCallCounter.Between(before, cluster.Calls.Snapshot());
        await stop.CancelAsync();
        foreach (var call in calls)
        {
            try
            {
                await call;
            }
            catch (OperationCanceledException)
            {
            }
        }

        return new Operation($"gateway loss seen by {clients} clients", silos, 1, Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            counted.Values.Sum(), counted.ToDictionary(kv => kv.Key, kv => (double)kv.Value));
    }

    private static async Task<Operation> MeasureAsync<T>(InProcessSilos cluster, string name, int silos, int repeats, Func<Task<T>> operation)
    {
        var times = new List<double>();
        var before = cluster.Calls.Snapshot();
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await operation();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var counted = GrainCallCounter.Between(before, cluster.Calls.Snapshot());
        times.Sort();
        return new Operation(name, silos, repeats, Math.Round(times[times.Count / 2], 2), counted.Values.Sum() / (double)repeats,
            counted.ToDictionary(kv => kv.Key, kv => kv.Value / (double)repeats));
    }

    private static async Task WaitForActiveSilosAsync(InProcessSilos cluster, int silos)
    {
        var management = cluster.OrleansClient.GetGrain<IManagementGrain>(0);
        var clock = Stopwatch.StartNew();
        while ((await management.GetHosts(onlyActive: true)).Count < silos)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{silos} silos never all became active");
            }

            await Task.Delay(200);
        }
    }

    private static IEnumerable<string> Markdown(Figures f)
    {
        yield return "# Cluster-wide operations vs silo count";
        yield return "";
        yield return $"`{f.Command}` — {f.StartedAt:u}. Silos in one process on loopback (pool of 1 each); calls = grain calls the silos received per operation (each is a request and a response message); time = median.";
        yield return "";
        yield return "| operation | silos | median ms | calls / op | calls by method |";
        yield return "|---|---:|---:|---:|---|";
        foreach (var o in f.Operations.OrderBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Silos))
        {
            yield return $"| {o.Name} | {o.Silos} | {o.MedianMs:0.0} | {o.CallsPerOperation:0.#} | {string.Join(", ", o.CallsByMethod.Select(c => $"{c.Key} {c.Value:0.#}"))} |";
        }
    }
}
