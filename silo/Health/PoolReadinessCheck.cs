using DSPex.Orleans.Pool;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Ready when this silo's default pool is warm, and no longer once the silo drains. A named pool that failed to
/// start leaves the silo ready (its other pools serve) but degraded, naming the pool and why.
/// </summary>
internal sealed class PoolReadinessCheck(IServiceProvider services) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The pools exist once the Orleans silo is built; before that the silo is simply not ready.
        var pools = services.GetService(typeof(SiloPools)) as SiloPools;
        var result = pools switch
        {
            null => HealthCheckResult.Unhealthy("the silo is starting"),
            { Default.IsDraining: true } => HealthCheckResult.Unhealthy("the silo is draining"),
            { Default.IsWarm: false } => HealthCheckResult.Unhealthy("the default Python pool is not warm"),
            _ => Describe(pools),
        };
        return Task.FromResult(result);
    }

    /// <summary>The readiness answer as one line of text: the status, then what each pool reports.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var details = report.Entries.Values.Select(e => e.Description).Where(d => !string.IsNullOrEmpty(d));
        return context.Response.WriteAsync($"{report.Status}: {string.Join("; ", details)}\n");
    }

    private static HealthCheckResult Describe(SiloPools pools)
    {
        var stats = pools.Stats();
        var summary = string.Join("; ", stats.Select(s => s.StartFailure is null
            ? $"pool {s.Pool}: {s.Workers}/{s.Size} workers"
            : $"pool {s.Pool} failed to start: {s.StartFailure}"));
        return stats.Any(s => s.StartFailure is not null)
            ? HealthCheckResult.Degraded(summary, data: stats.Where(s => s.StartFailure is not null).ToDictionary(s => s.Pool, s => (object)s.StartFailure!))
            : HealthCheckResult.Healthy(summary);
    }
}
