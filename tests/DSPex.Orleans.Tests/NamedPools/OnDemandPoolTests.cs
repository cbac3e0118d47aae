using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.NamedPools;

/// <summary>
/// A named pool of minimum 0 on the real silo executable with real Python: no worker while idle and /readyz 200 saying
/// it starts on demand; the first calls (several at once) start one worker and succeed; idle past its timeout it
/// retires that worker (the process ends) and is at zero again, still ready; a start that fails gives the callers
/// WorkerStartFailed and the next call tries afresh. Waits are on the pool's stats and /readyz (no sleeps).
/// </summary>
[Trait("Category", "Process")]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification =
    "Disposed in IAsyncLifetime.DisposeAsync, xunit's end of a test class or fixture, which the rule does not know.")]
public sealed class OnDemandPoolTests : IAsyncLifetime
{
    private const string Pool = "burst";
    private readonly TemporaryDirectory _state = new();
    private readonly int _httpPort = FreePorts.Next();
    private RealSiloProcess _silo = null!;
    private Microsoft.Extensions.Hosting.IHost _host = null!;
    private DSPexClient _client = null!;

    /// <summary>While this file exists, the pool's switch adapter raises on import, so a worker start fails.</summary>
    private string FailStartMarker => Path.Combine(_state.Path, "adapters", "fail-start");

    private static ExecuteOptions InPool => new() { Pool = Pool };

    public async Task InitializeAsync()
    {
        var adapters = Directory.CreateDirectory(Path.Combine(_state.Path, "adapters")).FullName;
        File.WriteAllText(Path.Combine(adapters, "dspex_ondemand_switch.py"),
            "import os\nfrom dspex import command\n\n"
            + "if os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fail-start')):\n"
            + "    raise RuntimeError('told to fail its start')\n\n\n"
            + "@command('ondemand_switch')\ndef ondemand_switch(args):\n    return 'on'\n");
        var settings = new Dictionary<string, string>
        {
            ["DSPex:Silo:HttpPort"] = _httpPort.ToString(),
            [$"DSPex:Pools:{Pool}:MinSize"] = "0",
            [$"DSPex:Pools:{Pool}:MaxSize"] = "2",
            [$"DSPex:Pools:{Pool}:AdapterModules:0"] = "dspex_test_adapter",
            [$"DSPex:Pools:{Pool}:AdapterPaths:0"] = TestClusters.TestAdapterPath,
            [$"DSPex:Pools:{Pool}:AdapterModules:1"] = "dspex_ondemand_switch",
            [$"DSPex:Pools:{Pool}:AdapterPaths:1"] = adapters,
            // The scaler never grows on its own here: every worker this pool gets is an on-demand start.
            [$"DSPex:Pools:{Pool}:ScaleUpAfter"] = "00:10:00",
            [$"DSPex:Pools:{Pool}:ScaleDownIdleTimeout"] = "00:00:01",
            [$"DSPex:Pools:{Pool}:QueueTimeout"] = "00:02:00",
            [$"DSPex:Pools:{Pool}:StopGracePeriod"] = "00:00:02",
            [$"DSPex:Pools:{Pool}:SpillToOtherSilos"] = "false",
        };
        _silo = RealSiloProcess.Start(RealSiloSettings.Fresh(_state.Path) with { PoolSize = 1, Extra = settings });
        await _silo.Warm;
        (_host, _client) = await _silo.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        _host?.Dispose();
        await _silo.DisposeAsync();
        _state.Dispose();
    }

    [Fact]
    public async Task It_idles_at_zero_ready_and_its_first_calls_start_one_worker_that_is_retired_once_idle()
    {
        // Idle from the start: no worker, and the silo ready, saying the pool starts on demand.
        var cold = await PoolStatsAsync();
        Assert.Equal((0, 0, 0, 2), (cold.Size, cold.Workers, cold.MinSize, cold.MaxSize));
        Assert.Null(cold.StartFailure);
        await AssertReadyAtZeroAsync();

        // Three calls at once find no worker: one worker is started, not three, and it serves them one by one.
        var gate = Path.Combine(_state.Path, "open");
        var calls = Enumerable.Range(0, 3).Select(_ => _client.ExecuteResponseAsync("wait_for_file", JsonSerializer.Serialize(new { path = gate }), InPool).AsTask()).ToList();
        var started = await Eventually.HoldsAsync(PoolStatsAsync, s => s.Workers == 1 && s.Busy == 1 && s.Queued == 2, "one worker started, one call on it, two queued");
        Assert.Equal((1, cold.ScaledUp + 1), (started.Size, started.ScaledUp));
        var pid = Assert.Single(started.WorkerDetails).Pid;
        File.WriteAllText(gate, "");
        foreach (var call in calls)
        {
            var reply = await call;
            Assert.True(reply.IsSuccess, reply.Error?.Message);
            Assert.Equal(Pool, Placement.SiloKeys.ParsePool(reply.WorkerId!));
        }

        Assert.Equal(cold.ScaledUp + 1, (await PoolStatsAsync()).ScaledUp);

        // Idle past its timeout, the worker is retired and its process ends: zero again, and still ready.
        var idle = await Eventually.HoldsAsync(PoolStatsAsync, s => s.Size == 0 && s.Workers == 0 && s.ScaledDown == cold.ScaledDown + 1, "the pool back at zero");
        Assert.Equal(0, idle.Restarts);
        await Eventually.HoldsAsync(() => !OsProcesses.IsAlive(pid), "the retired worker's process gone");
        await AssertReadyAtZeroAsync();

        // And the next call starts a fresh one.
        var again = await _client.ExecuteResponseAsync("ping", options: InPool);
        Assert.True(again.IsSuccess, again.Error?.Message);
        Assert.Equal(cold.ScaledUp + 2, (await PoolStatsAsync()).ScaledUp);
    }

    [Fact]
    public async Task A_start_that_fails_gives_the_callers_worker_start_failed_and_the_next_call_starts_afresh()
    {
        File.WriteAllText(FailStartMarker, "");
        var failures = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Assert.ThrowsAsync<WorkerStartFailedException>(() => _client.ExecuteRawAsync("ping", options: InPool))));
        foreach (var failure in failures)
        {
            Assert.Contains($"pool {Pool}", failure.Message);
            Assert.DoesNotContain("\n", failure.Message);
        }

        // Nothing is retried behind the callers' backs: the pool is back at zero, and says what its last start hit.
        var failed = await Eventually.HoldsAsync(PoolStatsAsync, s => s.Size == 0 && s.StartFailure is not null, "the pool parked, its start failure reported");
        Assert.Equal(0, failed.Workers);
        Assert.Contains("told to fail its start", failed.StartFailure);

        File.Delete(FailStartMarker);
        var reply = await _client.ExecuteResponseAsync("ping", options: InPool);
        Assert.True(reply.IsSuccess, reply.Error?.Message);
        // (Its worker may already be retired again on a slow machine: the idle timeout is short.)
        var recovered = await PoolStatsAsync();
        Assert.Null(recovered.StartFailure);
        Assert.Equal(failed.ScaledUp + 1, recovered.ScaledUp);
    }

    private async Task<PoolStats> PoolStatsAsync() =>
        (await _client.GetClusterStatsAsync()).Pools.Single(p => p.Pool == Pool);

    private async Task AssertReadyAtZeroAsync()
    {
        using var http = new HttpClient();
        // /readyz answers "starting" until the silo has started and its health loop's first probe call answered.
        var (status, body) = await Eventually.HoldsAsync(() => ReadyAsync(http),
            answer => answer.Body is not null && !answer.Body.Contains("starting", StringComparison.Ordinal), "the silo's /readyz past starting");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("Healthy:", body);
        Assert.Contains($"pool {Pool}: 0/0 workers (min 0, max 2), starts on demand", body);
    }

    private async Task<(HttpStatusCode Status, string? Body)> ReadyAsync(HttpClient http)
    {
        try
        {
            using var ready = await http.GetAsync($"http://127.0.0.1:{_httpPort}/readyz");
            return (ready.StatusCode, await ready.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (default, null);
        }
    }
}
