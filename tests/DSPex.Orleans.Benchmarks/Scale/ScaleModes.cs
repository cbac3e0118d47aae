using System.CommandLine;

namespace DSPex.Orleans.Benchmarks.Scale;

/// <summary>
/// The scale and soak modes: selected by "--scenarios sessions-scale" / "silos-scale" / "burst" / "cold-start" or by "--soak", each
/// runs on its own (not inside the hot-path sweep) and writes its own NAME.json and NAME.md next to results.json.
/// </summary>
public static class ScaleModes
{
    public static readonly Option<int> Sessions = new("--sessions") { Description = "sessions-scale: how many sessions to create, use once and leave idle", DefaultValueFactory = _ => 100_000 };

    public static readonly Option<double> SessionTtl = new("--session-ttl") { Description = "sessions-scale: the sessions' TTL in seconds (the run waits for Redis to expire them)", DefaultValueFactory = _ => 300 };

    public static readonly Option<int> Silos = new("--silos") { Description = "silos-scale: the largest number of in-process silos (1, 2, 4 ... up to it)", DefaultValueFactory = _ => 8 };

    public static readonly Option<int> Clients = new("--clients") { Description = "silos-scale: clients that see one gateway loss together", DefaultValueFactory = _ => 100 };

    public static readonly Option<TimeSpan?> Soak = new("--soak") { Description = "Run the soak (mixed load, worker kills) for this long, e.g. 00:30:00, instead of the sweep" };

    public static readonly Option<int?> Failover = new("--failover") { Description = "Fail-over: SIGKILL one of three silo processes on redis-server this many times, measuring the sessions' time to their first successful call" };

    public static readonly Option<TimeSpan?> FailoverSoak = new("--failover-soak") { Description = "Fail-over: after the kills, run the load this long without kills and count silos declared dead" };

    public static IEnumerable<Option> All => [Sessions, SessionTtl, Silos, Clients, Soak, Failover, FailoverSoak];

    /// <summary>The mode's exit code when one was asked for; null to run the hot-path sweep.</summary>
    public static async Task<int?> TryRunAsync(ParseResult parsed, BenchmarkOptions options)
    {
        var python = Processes.PythonInterpreter.Resolve(options.PythonExecutable);
        if (parsed.GetValue(Soak) is { } duration)
        {
            return await SoakBenchmark.RunAsync(duration, python, options.OutputDirectory);
        }

        if (parsed.GetValue(Failover) is { } kills)
        {
            return await FailoverBenchmark.RunAsync(kills, parsed.GetValue(FailoverSoak) ?? TimeSpan.Zero, python, options.OutputDirectory,
                "dotnet run -c Release --project tests/DSPex.Orleans.Benchmarks -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
        }

        if (options.Runs("sessions-scale"))
        {
            return await SessionsScaleBenchmark.RunAsync(parsed.GetValue(Sessions), TimeSpan.FromSeconds(parsed.GetValue(SessionTtl)), python, options.OutputDirectory);
        }

        if (options.Runs("burst"))
        {
            return await BurstBenchmark.RunAsync(options.Workers, python, options.OutputDirectory);
        }

        if (options.Runs("cold-start"))
        {
            return await ColdStartBenchmark.RunAsync(options.Workers, Math.Max(options.StartupRepeats, 3), python, options.OutputDirectory);
        }

        if (options.Runs("silos-scale"))
        {
            return await SilosScaleBenchmark.RunAsync(parsed.GetValue(Silos), parsed.GetValue(Clients), python, options.OutputDirectory);
        }

        return null;
    }
}
