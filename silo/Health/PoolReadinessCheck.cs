using DSPex.Orleans.Pool;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Silo.Health;

/// <summary>Ready only when this silo's Python pool is warm, and no longer once the silo drains.</summary>
internal sealed class PoolReadinessCheck(IServiceProvider services) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The pool exists once the Orleans silo is built; before that the silo is simply not ready.
        var pool = services.GetService(typeof(LocalWorkerPool)) as LocalWorkerPool;
        var result = pool switch
        {
            null => HealthCheckResult.Unhealthy("the silo is starting"),
            { IsDraining: true } => HealthCheckResult.Unhealthy("the silo is draining"),
            { IsWarm: false } => HealthCheckResult.Unhealthy("the Python pool is not warm"),
            _ => HealthCheckResult.Healthy($"{pool.GetStats().Workers}/{pool.Options.Size} workers"),
        };
        return Task.FromResult(result);
    }
}
