using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// The native libraries' thread counts as a worker sees them (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, ...). The pool
/// sets each to 1 because N workers each starting a thread per core is a fork-bomb of threads; a configured value
/// above 1 (DSPex:Pool:Environment) is a warning with the threads it adds up to.
/// </summary>
internal sealed class ThreadEnvironmentCheck(string pool, BridgeListing listing, int poolSize) : IDiagnosticCheck
{
    public string Name => $"pool {pool}: thread limits";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var outcome = await listing.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.Listing is not { } found)
        {
            return CheckResult.Skip(Name, "no command listing (see the adapters check)");
        }

        var seen = found.GetProperty("thread_environment").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        var details = new List<string>();
        var problems = new List<string>();
        foreach (var name in PythonProcessStartInfo.SingleThreadedNativeLibraries.Keys.Where(n => n.EndsWith("_THREADS", StringComparison.Ordinal)))
        {
            var value = seen.GetValueOrDefault(name);
            details.Add($"{name}={value ?? "(unset)"}");
            if (value is null)
            {
                problems.Add($"{name} is unset");
            }
            else if (!int.TryParse(value, out var threads) || threads != 1)
            {
                problems.Add($"{name}={value} (with {poolSize} workers: up to {(int.TryParse(value, out var n) ? n * poolSize : 0)} threads)");
            }
        }

        return problems.Count == 0
            ? CheckResult.Pass(Name, "native libraries run one thread per worker", details)
            : new CheckResult(Name, CheckStatus.Warn, string.Join("; ", problems), DiagnosticChecks.PoolSetting(pool, "Environment"), details);
    }
}
