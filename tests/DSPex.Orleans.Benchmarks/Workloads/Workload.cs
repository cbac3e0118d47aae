namespace DSPex.Orleans.Benchmarks.Workloads;

/// <summary>One Python command and its arguments (raw JSON, as clients send it), run by every scenario alike.</summary>
public sealed record Workload(string Name, string Command, string ArgsJson, string Description)
{
    /// <summary>The trivial call: measures the path, not Python.</summary>
    public static readonly Workload Ping = new("ping", "ping", "{}", "trivial call, returns \"pong\"");

    /// <summary>A 10 KB payload that Python echoes: the cost of copying and (de)serialising bytes on each hop.</summary>
    public static readonly Workload Echo10K = new("echo-10k", "echo", EchoArgs(10 * 1024), "10 KB JSON payload echoed back");

    /// <summary>A fixed pure-Python loop (see python/dspex_bench_adapter.py): measures how CPU-bound Python scales.</summary>
    public static readonly Workload CpuSpin = new("cpu-spin", "cpu_spin", """{"iterations":20000}""", "pure-Python loop of 20,000 iterations");

    public static IReadOnlyList<Workload> All { get; } = [Ping, Echo10K, CpuSpin];

    private static string EchoArgs(int bytes)
    {
        // {"text":"xxxx..."}: the JSON text is exactly `bytes` long.
        const string prefix = "{\"text\":\"", suffix = "\"}";
        return prefix + new string('x', bytes - prefix.Length - suffix.Length) + suffix;
    }
}
