using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Alive unless the silo cannot recover by itself (out of its cluster's membership past the limit, so Kubernetes
/// should restart it). Starting, serving and draining silos are alive: a drain must not look like a death.
/// </summary>
internal sealed class LivenessCheck(SiloHealth health) : IHealthCheck
{
    public const string Tag = "live";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.Unrecoverable is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy());
}
