namespace DSPex.Orleans.Benchmarks.Measurement;

/// <summary>The measured outcome of one cell: a scenario under one workload at one caller count.</summary>
public sealed record CellResult(
    string Scenario,
    string Workload,
    int Callers,
    long Calls,
    long Errors,
    double Seconds,
    double CallsPerSecond,
    double P50Micros,
    double P90Micros,
    double P99Micros,
    double P999Micros,
    double MaxMicros,
    double AllocatedBytesPerCall,
    double ThreadPoolItemsPerCall,
    double LockContentionsPerCall,
    double BenchCpuMicrosPerCall,
    double SiloCpuMicrosPerCall,
    double PythonCpuMicrosPerCall,
    int Rounds,
    ContextSwitchesPerCall? Switches = null);

/// <summary>Context switches per call (voluntary + involuntary, and the involuntary share) of the client/benchmark process, the silo process and the Python workers.</summary>
public sealed record ContextSwitchesPerCall(
    double Bench,
    double BenchInvoluntary,
    double Silo,
    double SiloInvoluntary,
    double Python,
    double PythonInvoluntary);
