using DSPex.Orleans.Benchmarks.Scenarios;

namespace DSPex.Orleans.Benchmarks;

/// <summary>What to run and for how long; parsed from the command line (see Program.cs).</summary>
public sealed record BenchmarkOptions(
    bool Quick,
    TimeSpan CellDuration,
    TimeSpan CellWarmUp,
    int Rounds,
    int Workers,
    IReadOnlySet<string> Scenarios,
    IReadOnlySet<string> Workloads,
    int StartupRepeats,
    string PythonExecutable,
    string OutputDirectory,
    SiloVariant? Variant = null,
    Scenarios.ClientCost.ClientBuild? VariantClient = null)
{
    /// <summary>Run only when named: the diagnostic parts of the client library's cost (see README, client cost).</summary>
    public static readonly string[] ExtraScenarios = ["floor-token", "floor-delay", "binary", "burst", "upload", "cold-start"];

    public static readonly string[] AllScenarios = ["raw-pipe", "cluster-remote", "orleans-floor", "cluster-remote-tls", "cluster-session", "cluster-inproc", "pythonnet", "grpc-peer", "client-floor", "startup", "io-bound", "tool-roundtrip"];

    /// <summary>The caller counts named by --callers; null runs the default set.</summary>
    public IReadOnlyList<int>? CallerCountsChosen { get; init; }

    /// <summary>1, N, 4N and 16N callers (sequential, one per worker, then queueing), or those named by --callers.</summary>
    public IReadOnlyList<int> CallerCounts => CallerCountsChosen ?? [1, Workers, 4 * Workers, 16 * Workers];

    public bool Runs(string scenario) => Scenarios.Contains(scenario);
}
