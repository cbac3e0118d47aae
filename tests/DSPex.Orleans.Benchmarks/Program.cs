using System.CommandLine;
using DSPex.Orleans.Benchmarks;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Scale;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Benchmarks.Scenarios.ClientCost;
using DSPex.Orleans.Benchmarks.Workloads;

// dspex-bench: the hot path against the physical limit (raw pipe) and the alternatives (Python.NET in-process).
// Every ratio it reports is against a baseline measured in the same run.
var quick = new Option<bool>("--quick") { Description = "Short cells, one round, fewer start-up repeats (about 3 minutes)" };
var duration = new Option<double?>("--duration") { Description = "Measured seconds per cell (default 1.2 quick, 3 full)" };
var warmUp = new Option<double?>("--warmup") { Description = "Unrecorded warm-up seconds before each cell (default 0.5 quick, 1 full)" };
var rounds = new Option<int?>("--rounds") { Description = "Times the whole sweep repeats, scenario order rotated each round (default 1 quick, 2 full)" };
var workers = new Option<int>("--workers", "-n") { Description = "N: pool size and raw-pipe workers", DefaultValueFactory = _ => Environment.ProcessorCount };
var scenarios = new Option<string[]>("--scenarios") { Description = $"Which to run: {string.Join(", ", BenchmarkOptions.AllScenarios)}; only when named: {string.Join(", ", BenchmarkOptions.ExtraScenarios)}", DefaultValueFactory = _ => BenchmarkOptions.AllScenarios, AllowMultipleArgumentsPerToken = true };
var workloads = new Option<string[]>("--workloads") { Description = $"Which workloads: {string.Join(", ", Workload.All.Select(w => w.Name))}", DefaultValueFactory = _ => [.. Workload.All.Select(w => w.Name)], AllowMultipleArgumentsPerToken = true };
var python = new Option<string>("--python") { Description = "Python interpreter (resolved to its real path once)", DefaultValueFactory = _ => "python3" };
var variantName = new Option<string>("--variant-name") { Description = "Name of the A/B silo variant (scenario cluster-remote-NAME)", DefaultValueFactory = _ => "variant" };
var variantSilo = new Option<string?>("--variant-silo") { Description = "A/B: also run this dspex-silo.dll (another build) as a second remote cluster" };
var variantEnv = new Option<string[]>("--variant-env") { Description = "A/B: KEY=VALUE environment of the second remote silo (repeatable)", AllowMultipleArgumentsPerToken = true };
var variantClient = new Option<string?>("--variant-client") { Description = "A/B of the client library: also run this DSPex.Orleans.Client.dll (another build) as scenarios cluster-remote-client-NAME and client-floor-NAME" };
var variantClientName = new Option<string>("--variant-client-name") { Description = "Name of the A/B client build", DefaultValueFactory = _ => "base" };
var callers = new Option<int[]>("--callers") { Description = "Caller counts to run (default 1, N, 4N and 16N); e.g. --callers 32 for one cell of an A/B", AllowMultipleArgumentsPerToken = true };
var output = new Option<string?>("--out") { Description = "Output directory for results.md, results.json and results.png (default docs/benchmarks)" };

var root = new RootCommand("DSPex.Orleans benchmarks: raw pipe, cluster (remote and in-process client), Python.NET")
{
    quick, duration, warmUp, rounds, workers, scenarios, workloads, python, output, variantName, variantSilo, variantEnv, variantClient, variantClientName, callers,
};
foreach (var option in ScaleModes.All)
{
    root.Options.Add(option);
}

root.SetAction(async (parsed, cancellationToken) =>
{
    var isQuick = parsed.GetValue(quick);
    var options = new BenchmarkOptions(
        isQuick,
        TimeSpan.FromSeconds(parsed.GetValue(duration) ?? (isQuick ? 1.2 : 3)),
        TimeSpan.FromSeconds(parsed.GetValue(warmUp) ?? (isQuick ? 0.5 : 1)),
        parsed.GetValue(rounds) ?? (isQuick ? 1 : 2),
        Math.Max(1, parsed.GetValue(workers)),
        parsed.GetValue(scenarios)!.ToHashSet(StringComparer.OrdinalIgnoreCase),
        parsed.GetValue(workloads)!.ToHashSet(StringComparer.OrdinalIgnoreCase),
        isQuick ? 3 : 5,
        parsed.GetValue(python)!,
        parsed.GetValue(output) ?? Path.Combine(BenchmarkPaths.RepositoryRoot, "docs", "benchmarks"),
        Variant(parsed.GetValue(variantName)!, parsed.GetValue(variantSilo), parsed.GetValue(variantEnv) ?? []),
        parsed.GetValue(variantClient) is { } clientPath ? ClientBuild.Load(parsed.GetValue(variantClientName)!, clientPath) : null)
    {
        CallerCountsChosen = parsed.GetValue(callers) is { Length: > 0 } chosen ? [.. chosen.Where(c => c > 0).Distinct().Order()] : null,
    };
    return await ScaleModes.TryRunAsync(parsed, options) ?? await BenchmarkRun.RunAsync(options, cancellationToken);
});
return await root.Parse(args).InvokeAsync();

static SiloVariant? Variant(string name, string? silo, string[] environment) =>
    silo is null && environment.Length == 0
        ? null
        : new SiloVariant(
            name,
            silo is null ? null : Path.GetFullPath(silo),
            environment.Select(e => e.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : ""));
