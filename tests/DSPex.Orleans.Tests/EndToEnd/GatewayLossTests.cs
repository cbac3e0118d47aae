using System.Diagnostics;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// Orleans leaves a client's call waiting out its response timeout when the gateway that carried it dies. Two real
/// silo processes (Redis membership) serve long calls from one client; one is SIGKILLed. The calls it carried fail
/// at once as SiloUnavailable, the calls the other carries go on.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class GatewayLossTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    // Each pool can run every call at once, so no call queues or spills: each runs on the silo whose gateway took it.
    private const int Calls = 4;
    private const int PoolSize = Calls;

    [Fact]
    public async Task Calls_whose_gateway_dies_fail_as_silo_unavailable_and_calls_through_the_other_gateway_go_on()
    {
        using var state = new TemporaryDirectory();
        var clusterId = $"gw-{Guid.NewGuid():N}";
        await using var doomed = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString) with { PoolSize = PoolSize });
        await using var survivor = RealSiloProcess.Start(RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString) with { PoolSize = PoolSize });
        await Task.WhenAll(doomed.Warm, survivor.Warm);

        // A client reads its gateway list from membership when it connects (and again only a minute later): a silo
        // whose pool is warm may not be active in membership yet, so connect once both are, as seen by a probe client.
        await using (var probe = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = clusterId;
            o.RedisConnectionString = redis.ConnectionString;
        }))
        {
            await Eventually.HoldsAsync(probe.Client.GetClusterStatsAsync, s => s.Pools.Count == 2, "both silos in the cluster");
        }

        await using var clientHost = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = clusterId;
            o.RedisConnectionString = redis.ConnectionString;
            // Far beyond this test: only the gateway-loss check can end a lost call in time.
            o.CallLimits = new CallLimits { DefaultCallLimit = TimeSpan.FromMinutes(30) };
        });
        var client = clientHost.Client;

        // Long calls issued back to back: the client binds each new router key to the next gateway in turn, so a batch
        // spreads over both (a stats poll between calls also takes a turn, which could put every call on one gateway).
        using var stopSurvivors = new CancellationTokenSource();
        var calls = Enumerable.Range(0, Calls)
            .Select(_ => client.ExecuteRawAsync("sleep", """{"seconds":600}""", cancellationToken: stopSurvivors.Token))
            .ToList();
        var stats = await Eventually.HoldsAsync(client.GetClusterStatsAsync, s => s.Pools.Count == 2 && s.Pools.Sum(p => p.Busy) == Calls,
            "every call running on one of the two silos");

        var onDoomed = stats.Pools.Single(p => p.Silo.Contains($":{doomed.Settings.SiloPort}@", StringComparison.Ordinal)).Busy;
        var onSurvivor = calls.Count - onDoomed;
        Assert.True(onDoomed > 0 && onSurvivor > 0, $"calls spread over both gateways: {onDoomed} and {onSurvivor}");

        var clock = Stopwatch.StartNew();
        doomed.Kill();
        await Eventually.HoldsAsync(() => calls.Count(c => c.IsCompleted) >= onDoomed, "the dead gateway's calls ended");
        output.WriteLine($"measured: gateway SIGKILL -> its {onDoomed} call(s) failed: {clock.ElapsedMilliseconds} ms (Orleans alone: its response timeout)");

        var ended = calls.Where(c => c.IsCompleted).ToList();
        Assert.Equal(onDoomed, ended.Count);
        foreach (var call in ended)
        {
            var error = await Assert.ThrowsAsync<Client.Errors.SiloLostException>(() => call);
            Assert.Contains("gateway silo carrying the call was lost", error.Message);
        }

        // The other gateway's calls were asked after, and found running: they are still waiting for their answer.
        var running = calls.Where(c => !c.IsCompleted).ToList();
        Assert.Equal(onSurvivor, running.Count);
        Assert.Equal(onSurvivor, client.CallsInFlight);
        stopSurvivors.Cancel();
        foreach (var call in running)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.Equal(0, client.CallsInFlight);
    }
}
