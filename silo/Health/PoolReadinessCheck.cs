using DSPex.Orleans.Pool;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Ready when this silo's default pool is warm, and no longer once the silo drains (membership and the probe call
/// are <see cref="ClusterReadinessCheck"/>'s). A named pool that failed to
/// start leaves the silo ready (its other pools serve) but degraded, naming the pool and why.
/// </summary>
internal sealed class PoolReadinessCheck(IServiceProvider services, SiloHealth health) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The HTTP endpoint answers before the silo has started: the pools are only looked at once it has.
        var pools = health.Phase == SiloPhase.Serving ? services.GetService(typeof(SiloPools)) as SiloPools : null;
        var result = pools switch
        {
            _ when health.Phase == SiloPhase.Draining => HealthCheckResult.Unhealthy(ReadinessText.Draining),
            null => HealthCheckResult.Unhealthy($"{ReadinessText.Starting}: joining the cluster and warming the Python pools"),
            { Default.IsDraining: true } => HealthCheckResult.Unhealthy(ReadinessText.Draining),
            { Default.IsWarm: false } => HealthCheckResult.Unhealthy("the default Python pool is not warm"),
            _ => Describe(pools),
        };
        return Task.FromResult(result);
    }

    /// <summary>The readiness answer as one line of text: the status, then what each pool reports.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        // Both checks say "draining" (or "starting") at once: each thing is said once.
        var details = report.Entries.Values.Select(e => e.Description).Where(d => !string.IsNullOrEmpty(d)).Distinct();
        var text = string.Join("; ", details);
        return context.Response.WriteAsync(text.Length == 0 ? $"{report.Status}\n" : $"{report.Status}: {text}\n");
    }

    private static HealthCheckResult Describe(SiloPools pools)
    {
        var stats = pools.Stats();
        var summary = string.Join("; ", stats.Select(s => s.StartFailure is null
            ? $"pool {s.Pool}: {PoolSizeText.Of(s)}"
            : $"pool {s.Pool} failed to start: {s.StartFailure}"));
        return stats.Any(s => s.StartFailure is not null)
            ? HealthCheckResult.Degraded(summary, data: stats.Where(s => s.StartFailure is not null).ToDictionary(s => s.Pool, s => (object)s.StartFailure!))
            : HealthCheckResult.Healthy(summary);
    }
}
