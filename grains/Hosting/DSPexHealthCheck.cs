using DSPex.Orleans.Pool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Hosting;

/// <summary>
/// The silo's pools as a health check (<see cref="DSPexHealthChecksBuilderExtensions.AddDSPexHealthChecks"/>):
/// Unhealthy while the pools warm, once the silo drains, or when the default pool has no live worker; Degraded when a
/// named pool failed to start or has no live worker (the others serve); Healthy otherwise. The description names each
/// pool and its workers; the data holds each pool's state. It reads memory only (no I/O, no grain call), so a probe
/// costs one short lock per pool.
/// </summary>
internal sealed class DSPexHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<SiloPools>() is not { } pools)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("DSPex is not added to this host's silo (siloBuilder.AddDSPex())"));
        }

        return Task.FromResult(Describe(pools));
    }

    private static HealthCheckResult Describe(SiloPools pools)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var pool in pools.All)
        {
            var stats = pool.GetStats();
            var state = pool switch
            {
                { IsDraining: true } => "draining",
                { StartFailure: { } failure } => $"failed to start: {failure}",
                { IsWarm: true } => PoolSizeText.Of(stats),
                _ => "starting",
            };
            data[pool.Name] = state;
            lines.Add($"pool {pool.Name}: {state}");
        }

        var description = string.Join("; ", lines);
        var main = pools.Default;
        if (main.IsDraining)
        {
            return HealthCheckResult.Unhealthy($"draining: {description}", data: data);
        }

        if (!main.IsWarm)
        {
            return HealthCheckResult.Unhealthy(description, data: data);
        }

        return pools.All.Any(p => !p.IsWarm || p.IsDraining)
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data: data);
    }
}
