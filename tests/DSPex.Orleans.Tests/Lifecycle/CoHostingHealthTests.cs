using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// AddDSPexHealthChecks in an application's own host: the default pool serving and a named pool that failed to start
/// is Degraded, naming both pools and the failure; once the host stops, the pools drain and the check says so.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class CoHostingHealthTests
{
    [Fact]
    public async Task The_health_check_reports_every_pool_and_the_drain()
    {
        var clusterId = $"cohost-health-{Guid.NewGuid():N}";
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: clusterId, clusterId: clusterId)
            .UseInMemoryReminderService()
            .AddDSPex(pool =>
            {
                pool.Size = 1;
                pool.StopGracePeriod = TimeSpan.FromSeconds(2);
            })
            .AddDSPexPool("broken", pool =>
            {
                pool.Size = 1;
                pool.AdapterModules = ["dspex_health_no_such_adapter"];
            }));
        builder.Services.AddHealthChecks().AddDSPexHealthChecks();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Status); // not started: the pools are not warm

        await host.StartAsync().WaitAsync(TestBounds.Start);
        var serving = (await health.CheckHealthAsync()).Entries[DSPexHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Degraded, serving.Status);
        Assert.Contains("pool default: 1/1 workers", serving.Description, StringComparison.Ordinal);
        Assert.Contains("pool broken: failed to start:", serving.Description, StringComparison.Ordinal);
        Assert.Contains("dspex_health_no_such_adapter", (string)serving.Data["broken"], StringComparison.Ordinal);

        await host.StopAsync().WaitAsync(TestBounds.Exit);
        var stopped = (await health.CheckHealthAsync()).Entries[DSPexHealthChecksBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.StartsWith("draining", stopped.Description, StringComparison.Ordinal);
    }
}
