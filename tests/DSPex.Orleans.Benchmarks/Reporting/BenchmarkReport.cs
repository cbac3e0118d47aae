using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Benchmarks.Startup;

namespace DSPex.Orleans.Benchmarks.Reporting;

/// <summary>Everything one run measured; written as JSON and rendered as Markdown and a chart.</summary>
public sealed record BenchmarkReport(
    RunInfo Run,
    IReadOnlyList<ScenarioInfo> Scenarios,
    IReadOnlyList<CellResult> Cells,
    StartupResult? Startup,
    IReadOnlyList<ScenarioMemory> Memory,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<string> Notes,
    IReadOnlyList<FloorComparison>? Floor = null);

public sealed record RunInfo(
    DateTimeOffset StartedAt,
    string Command,
    string Mode,
    int ProcessorCount,
    string Os,
    string DotNet,
    string? PythonVersion,
    string? GitCommit,
    double CellSeconds,
    double WarmUpSeconds,
    int Rounds,
    int Workers,
    double TotalSeconds,
    string LoadAverageBefore,
    string LoadAverageAfter);

public sealed record ScenarioInfo(string Name, string Description, int Workers);

/// <summary>A target from the issue: what was measured, its ratio to the bound, and whether it was met (null: not measured).</summary>
public sealed record TargetResult(string Target, string Requirement, string Measured, double? Ratio, bool? Met);
