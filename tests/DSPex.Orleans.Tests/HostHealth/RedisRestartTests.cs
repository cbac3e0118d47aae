using System.Net;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// Redis killed under a 2-silo cluster and restarted empty on the same port: membership is gone, and Orleans keeps
/// each silo's own entry in its view (it never re-registers, and clients finding gateways through Redis find none).
/// Each silo says so on /readyz (503, naming membership), gives up after DSPex:Silo:Health:MembershipLossLimit with
/// exit code 3, and restarted (as Kubernetes restarts a pod) both serve again through Redis discovery.
/// (Readiness used to say Healthy for good while the silo was out of its cluster.)
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_Redis_restarts_empty_the_silos_report_it_exit_3_and_restarted_serve_through_Redis_discovery()
    {
        using var state = new TemporaryDirectory();
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var started = new List<RealSiloProcess>();
        try
        {
            var clusterId = $"redis-restart-{Guid.NewGuid():N}";
            var silos = new[] { Settings(state, clusterId, redis), Settings(state, clusterId, redis) };
            var first = await StartServingAsync(silos, redis.ConnectionString, started);

            // Redis killed (by its pid) and started again, empty, on the same port.
            await redis.DisposeAsync();
            redis = RedisServer.OnPort(redis.Port);
            await redis.InitializeAsync();
            var restarted = System.Diagnostics.Stopwatch.StartNew();

            // Both silos watched at once: each has MembershipLossLimit from the loss to exit, and a silo watched only after
            // the other's 503 was seen could exit (and stop answering) before its own 503 is read on a loaded machine.
            await Task.WhenAll(silos.Select(async settings =>
            {
                using var http = new SiloHttp(HttpPort(settings));
                var outOfCluster = await Eventually.HoldsAsync(() => http.GetAsync("/readyz"),
                    r => r is null || r.Value.Body.Contains("membership table is gone", StringComparison.Ordinal), "/readyz naming the lost membership", TestBounds.Start);
                Assert.NotNull(outOfCluster);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, outOfCluster.Value.Status);
                Assert.Contains("not an active member of the cluster: the membership table is gone", outOfCluster.Value.Body);
                output.WriteLine($"measured: Redis restarted empty -> silo {settings.SiloPort} /readyz 503 naming membership: {restarted.ElapsedMilliseconds} ms");
            }));

            foreach (var silo in first)
            {
                Assert.Equal(3, await silo.ExitAsync());
                output.WriteLine($"measured: Redis restarted empty -> silo exited with code 3: {restarted.ElapsedMilliseconds} ms (MembershipLossLimit {MembershipLossLimit.TotalSeconds} s)");
                Assert.Contains("dspex-silo: exit code 3: out of the cluster's membership for", silo.Output);
            }

            // Restarted as their pods would be: the same settings, a new process each.
            var again = await StartServingAsync(silos, redis.ConnectionString, started);
            output.WriteLine($"measured: Redis restarted empty -> both restarted silos serving through Redis discovery: {restarted.ElapsedMilliseconds} ms");
            foreach (var silo in again)
            {
                Assert.Equal(0, await silo.StopAsync());
            }
        }
        finally
        {
            // Every silo this test started ends, whatever failed (an exited one is only waited for).
            foreach (var silo in started)
            {
                await silo.DisposeAsync();
            }

            await redis.DisposeAsync();
        }
    }

    /// <summary>
    /// How long a silo out of its membership serves 503 before it exits: the window in which the test must read that
    /// 503. Not shorter: the test process and both silos share a loaded machine (10 s was the whole window before).
    /// </summary>
    private static readonly TimeSpan MembershipLossLimit = TimeSpan.FromSeconds(20);

    private static RealSiloSettings Settings(TemporaryDirectory state, string clusterId, RedisServer redis) =>
        RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString) with
        {
            PoolSize = 1,
            Extra = new Dictionary<string, string>
            {
                ["DSPex:Silo:HttpPort"] = FreePorts.Next().ToString(),
                ["DSPex:Silo:DrainTimeout"] = "00:00:05",
                ["DSPex:Silo:Health:ProbeInterval"] = "00:00:01",
                ["DSPex:Silo:Health:MembershipLossLimit"] = MembershipLossLimit.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            },
        };

    private static int HttpPort(RealSiloSettings settings) => int.Parse(settings.Extra!["DSPex:Silo:HttpPort"]);

    /// <summary>Starts the silos, waits until each is ready, and shows both serving a client that finds them through Redis.</summary>
    private async Task<RealSiloProcess[]> StartServingAsync(RealSiloSettings[] settings, string redis, List<RealSiloProcess> started)
    {
        var silos = settings.Select(s => RealSiloProcess.Start(s)).ToArray();
        started.AddRange(silos);
        foreach (var (silo, setting) in silos.Zip(settings))
        {
            await silo.Warm;
            using var http = new SiloHttp(HttpPort(setting));
            await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK, $"silo {setting.SiloPort} ready", TestBounds.Start);
        }

        await using var client = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = settings[0].ClusterId;
            o.RedisConnectionString = redis;
        });
        var stats = await Eventually.HoldsAsync(client.Client.GetClusterStatsAsync, s => s.Pools.Count == 2, "both silos serving through Redis discovery", TestBounds.Start);
        foreach (var setting in settings)
        {
            Assert.Contains(stats.Pools, p => p.Silo.Contains($":{setting.SiloPort}@", StringComparison.Ordinal));
        }

        Assert.Equal("\"pong\"", await client.Client.ExecuteRawAsync("ping"));
        output.WriteLine($"serving through Redis discovery: {string.Join(", ", stats.Pools.Select(p => p.Silo))}");
        return silos;
    }
}
