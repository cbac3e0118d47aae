using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Tests.Lifecycle;

/// <summary>
/// An application that co-hosts DSPex (the hosting package's AddDSPex on its own silo) fails fast as dspex-silo does:
/// its host's StartAsync throws when the default pool cannot start, with the pool's reason, and leaves no worker
/// behind. A named pool that cannot start still fails alone: the host starts and the default pool serves.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class CoHostingStartTests
{
    [Fact]
    public async Task The_host_start_throws_with_the_pools_reason_when_the_default_pools_adapter_does_not_import()
    {
        var clusterId = $"cohost-{Guid.NewGuid():N}";
        using var host = Build(clusterId, pool =>
        {
            pool.Size = 2;
            pool.AdapterModules = ["dspex_cohost_no_such_adapter"];
        });

        // Bounded as a hang guard: before, StartAsync returned and the first call blocked until its queue timeout.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(TestBounds.Start));
        var startFailure = Chain(error).OfType<DefaultPoolStartException>().FirstOrDefault();
        Assert.True(startFailure is not null, $"expected a DefaultPoolStartException, got: {error}");
        Assert.Contains("dspex_cohost_no_such_adapter", startFailure.Reason, StringComparison.Ordinal);
        Assert.StartsWith("DSPex:Pool: the default pool could not start", startFailure.Message, StringComparison.Ordinal);

        // The failed start ended its workers (and their retries): none carries this cluster's marker.
        await Eventually.HoldsAsync(() => Task.FromResult(ProcessesWithMarker.Find(clusterId)), pids => pids.Count == 0, "no worker of the failed silo is left");
        await StopQuietlyAsync(host);
    }

    [Fact]
    public async Task A_named_pool_that_cannot_start_fails_alone_and_the_host_starts()
    {
        var clusterId = $"cohost-{Guid.NewGuid():N}";
        using var host = Build(clusterId, pool => pool.Size = 1, silo => silo.AddDSPexPool("broken", pool =>
        {
            pool.Size = 1;
            pool.AdapterModules = ["dspex_cohost_no_such_adapter"];
        }));
        await host.StartAsync().WaitAsync(TestBounds.Start);
        try
        {
            var client = host.Services.GetRequiredService<DSPexClient>();
            Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
            var stats = (await client.GetClusterStatsAsync()).Pools;
            Assert.Contains(stats, s => s.Pool == "broken" && s.StartFailure is not null && s.StartFailure.Contains("dspex_cohost_no_such_adapter", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync().WaitAsync(TestBounds.Exit);
        }
    }

    private static IHost Build(string clusterId, Action<DSPex.Orleans.Configuration.DSPexPoolOptions> configurePool, Action<ISiloBuilder>? configureSilo = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: clusterId, clusterId: clusterId)
                .UseInMemoryReminderService()
                .AddDSPex(pool =>
                {
                    pool.AdapterPaths = [TestClusters.TestAdapterPath];
                    pool.StopGracePeriod = TimeSpan.FromSeconds(2);
                    configurePool(pool);
                });
            configureSilo?.Invoke(silo);
        });
        builder.Services.AddDSPexClient();
        return builder.Build();
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            await host.StopAsync().WaitAsync(TestBounds.Exit);
        }
        catch (Exception)
        {
            // A host whose start failed may refuse to stop what never ran; what matters is asserted above.
        }
    }
}
