using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DSPex.Orleans.Hosting;

/// <summary>Reports a co-hosted DSPex silo's pools through Microsoft.Extensions.Diagnostics.HealthChecks.</summary>
public static class DSPexHealthChecksBuilderExtensions
{
    /// <summary>The check's default name.</summary>
    public const string DefaultName = "dspex";

    /// <summary>
    /// Adds a check of this host's DSPex pools (the silo's, after <c>siloBuilder.AddDSPex()</c>): Unhealthy while they
    /// warm, once the silo drains, or when the default pool has no live worker; Degraded when a named pool failed to
    /// start or has no live worker; Healthy otherwise. The description names every pool and its workers; the data
    /// holds each pool's state by name. Map it where your host serves health (for example MapHealthChecks("/readyz")),
    /// and guard that endpoint as you guard your other ones: the description names pools and start failures.
    /// </summary>
    public static IHealthChecksBuilder AddDSPexHealthChecks(this IHealthChecksBuilder builder, string name = DefaultName, IEnumerable<string>? tags = null) =>
        builder.Add(new HealthCheckRegistration(name, services => new DSPexHealthCheck(services), failureStatus: null, tags));
}
