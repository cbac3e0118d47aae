using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Ready while the silo serves as an active member of its cluster and its own path answers a probe call, as the
/// health loop last found (this check does no I/O). Not ready while it starts or drains.
/// </summary>
internal sealed class ClusterReadinessCheck(SiloHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var last = health.Last;
        var result = health.Phase switch
        {
            // The pool check says "starting" or "draining" (once is enough in the answer).
            SiloPhase.Starting or SiloPhase.Draining => HealthCheckResult.Unhealthy(),
            _ when last.At == DateTimeOffset.MinValue => HealthCheckResult.Unhealthy($"{ReadinessText.Starting}: the first health probe is under way"),
            _ when last.Membership is { } membership => HealthCheckResult.Unhealthy($"not an active member of the cluster: {membership}"),
            _ when last.Gateway is { } gateway => HealthCheckResult.Unhealthy($"cannot serve: {gateway}"),
            _ => HealthCheckResult.Healthy(),
        };
        return Task.FromResult(result);
    }
}
