using System.Net;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// A real silo whose pool cannot take a call (its one worker held by a call that does not return, its queue full):
/// /readyz turns 503 and says why, from the health loop's probe call through the silo's own pool grain, and turns
/// 200 again once the pool serves. (Readiness used to look only at whether the pool had warmed.)
/// </summary>
[Trait("Category", "Process")]
public sealed class GatewayProbeTests
{
    [Fact]
    public async Task A_wedged_pool_makes_readyz_503_with_the_probe_s_reason_until_it_serves_again()
    {
        using var state = new TemporaryDirectory();
        var httpPort = FreePorts.Next();
        var settings = RealSiloSettings.Fresh(state.Path) with
        {
            PoolSize = 1,
            Extra = new Dictionary<string, string>
            {
                ["DSPex:Silo:HttpPort"] = httpPort.ToString(),
                ["DSPex:Silo:Health:ProbeInterval"] = "00:00:01",
                ["DSPex:Silo:Health:ProbeTimeout"] = "00:00:02",
                ["DSPex:Pool:MaxQueueLength"] = "1",
                ["DSPex:Pool:SpillToOtherSilos"] = "false",
            },
        };
        await using var silo = RealSiloProcess.Start(settings);
        await silo.Warm;
        using var http = new SiloHttp(httpPort);
        await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK, "the silo ready", TestBounds.Start);

        var (host, client) = await silo.ConnectAsync();
        using var _ = host;
        var release = Path.Combine(state.Path, "release");
        var args = JsonSerializer.Serialize(new { path = release, started = Path.Combine(state.Path, "started") });
        var options = new ExecuteOptions { Timeout = TimeSpan.FromMinutes(3) };
        // The worker held, then callers until the pool refuses one (queue full): every new call here now fails.
        var held = new List<Task<string>> { client.ExecuteRawAsync("wait_for_file", args, options) };
        await Eventually.HoldsAsync(() => File.Exists(Path.Combine(state.Path, "started")), "the worker held");
        var refused = await Eventually.HoldsAsync(async () =>
        {
            var call = client.ExecuteRawAsync("wait_for_file", args, options);
            held.Add(call);
            return await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(1))) == call && call.IsFaulted;
        }, full => full, "the pool refusing calls", TestBounds.Start);
        Assert.True(refused);

        var wedged = await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r?.Status == HttpStatusCode.ServiceUnavailable,
            "/readyz 503 while the pool cannot serve", TestBounds.Start);
        Assert.Contains("cannot serve: ", wedged!.Value.Body);
        Assert.Contains("ping through this silo's pool grain", wedged.Value.Body);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz"))?.Status);

        File.WriteAllText(release, "");
        foreach (var call in held)
        {
            try
            {
                await call.WaitAsync(TestBounds.Exit);
            }
            catch (DSPexException)
            {
                // The refused ones.
            }
        }

        await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK, "/readyz 200 once the pool serves", TestBounds.Start);
        Assert.Equal("\"pong\"", await client.ExecuteRawAsync("ping"));
    }
}
