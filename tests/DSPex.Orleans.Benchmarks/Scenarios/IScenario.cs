using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Workloads;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// One way of getting a call to the Python function, started once and then driven by the load runner.
/// A new way (the session path, for one) is one more class implementing this.
/// </summary>
public interface IScenario : IAsyncDisposable
{
    /// <summary>Short, stable name used in tables, JSON and the chart ("raw-pipe-2w", "cluster-remote", ...).</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Python workers (or threads able to run Python at once) behind this scenario.</summary>
    int Workers { get; }

    /// <summary>
    /// True when a call blocks its thread (Python.NET): the runner then gives each caller a dedicated thread
    /// instead of a task, as a real user of that API would.
    /// </summary>
    bool CallsBlockThread { get; }

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Called on a caller's thread before its loop; the result is disposed after it (Python.NET takes the GIL here).</summary>
    IDisposable? EnterCaller(int callerCount) => null;

    /// <summary>One call; throws when the call failed (the runner counts it as an error).</summary>
    ValueTask CallAsync(Workload workload, int caller);

    /// <summary>The separate silo process, when there is one (its CPU per call is reported).</summary>
    int? SiloPid => null;

    /// <summary>The Python worker processes serving this scenario (their CPU per call is reported).</summary>
    IReadOnlyList<int> WorkerPids() => [];

    /// <summary>Memory facts worth reporting after the load, or null.</summary>
    ScenarioMemory? Memory() => null;
}

/// <summary>Memory of a scenario: its host's managed heap and RSS, and each Python worker's RSS.</summary>
public sealed record ScenarioMemory(
    string Scenario,
    long? HostManagedHeapBytes,
    long? HostResidentBytes,
    IReadOnlyList<long> WorkerResidentBytes,
    string Note,
    ProcessMemory? HostBreakdown = null);
