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
    int Rounds);
