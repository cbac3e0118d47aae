using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.HostHealth;

/// <summary>
/// A real silo process drained by SIGTERM while a call is in flight: from SIGTERM until that call has completed,
/// /healthz answers 200, /readyz 503 "draining" and /metrics 200, so Kubernetes can tell a draining pod from a dead
/// one and scraping carries on. (They used to refuse connections for the whole drain: the HTTP server stopped first.)
/// </summary>
[Trait("Category", "Process")]
public sealed class DrainHealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Through_the_whole_drain_healthz_is_200_readyz_is_503_draining_and_metrics_answer()
    {
        using var state = new TemporaryDirectory();
        var httpPort = FreePorts.Next();
        var settings = RealSiloSettings.Fresh(state.Path) with
        {
            PoolSize = 1,
            Extra = new Dictionary<string, string>
            {
                ["DSPex:Silo:HttpPort"] = httpPort.ToString(),
                ["DSPex:Telemetry:Prometheus"] = "true",
                // Longer than the call is held: the drain ends when the call completes, not by its timeout.
                ["DSPex:Silo:DrainTimeout"] = "00:03:00",
            },
        };
        await using var silo = RealSiloProcess.Start(settings);
        await silo.Warm;
        using var http = new SiloHttp(httpPort);
        await Eventually.HoldsAsync(() => http.GetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK, "the silo ready", TestBounds.Start);

        var (host, client) = await silo.ConnectAsync();
        using var _ = host;
        var started = Path.Combine(state.Path, "call-started");
        var release = Path.Combine(state.Path, "release-call");
        var call = client.ExecuteRawAsync("wait_for_file", JsonSerializer.Serialize(new { path = release, started }),
            new ExecuteOptions { Timeout = TimeSpan.FromMinutes(3) });
        await Eventually.HoldsAsync(() => File.Exists(started), "the long call running in Python");

        // SIGTERM, then read every endpoint over and over until the process has exited.
        var clock = Stopwatch.StartNew();
        var answers = new ConcurrentQueue<(string Path, long At, HttpStatusCode? Status, string? Body)>();
        var exit = silo.StopAsync();
        var polling = Task.Run(async () =>
        {
            while (!exit.IsCompleted)
            {
                foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
                {
                    var at = clock.ElapsedMilliseconds;
                    var answer = await http.GetAsync(path);
                    answers.Enqueue((path, at, answer?.Status, answer?.Body));
                }
            }
        });

        await Eventually.HoldsAsync(() => answers.Any(a => a.Path == "/readyz" && a.Body?.Contains("draining", StringComparison.Ordinal) == true),
            "/readyz saying draining", TestBounds.Exit);
        // The drain is under way and waits for the call: each endpoint has answered at least twice more meanwhile.
        var seen = answers.Count;
        await Eventually.HoldsAsync(() => answers.Count >= seen + 6, "more answers during the drain", TestBounds.Exit);
        Assert.False(call.IsCompleted, "the held call completed before it was released");
        File.WriteAllText(release, "");
        var result = await call.WaitAsync(TestBounds.Exit);
        var completedAt = clock.ElapsedMilliseconds;
        Assert.True(JsonDocument.Parse(result).RootElement.GetProperty("released").GetBoolean());
        Assert.Equal(0, await exit);
        await polling;

        var during = answers.Where(a => a.At < completedAt).ToList();
        output.WriteLine($"measured: {during.Count} requests from SIGTERM until the in-flight call completed ({completedAt} ms); " +
            $"{answers.Count(a => a.Status is null)} refused, all after it; the process exited at {clock.ElapsedMilliseconds} ms");
        Assert.All(during, a => Assert.True(a.Status is not null, $"{a.Path} refused a connection at {a.At} ms, before the drain ended"));
        Assert.All(during.Where(a => a.Path == "/healthz"), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(during.Where(a => a.Path == "/metrics"), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var firstDraining = during.First(a => a.Path == "/readyz" && a.Body!.Contains("draining", StringComparison.Ordinal)).At;
        Assert.All(during.Where(a => a.Path == "/readyz" && a.At >= firstDraining), a =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.Contains("draining", a.Body);
        });
        Assert.True(during.Count(a => a.Path == "/healthz") >= 3);
    }
}
