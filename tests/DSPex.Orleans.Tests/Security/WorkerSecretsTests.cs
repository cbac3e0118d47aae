using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// Workers get an explicit environment, not the silo's; a crash's stderr (which may hold what the crashed request
/// printed) reaches the caller of that request only, never another caller whose request shared the worker.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class WorkerSecretsTests(WorkerSecretsTests.SecretsCluster cluster) : IClassFixture<WorkerSecretsTests.SecretsCluster>
{
    private const string SiloSecret = "DSPEX_TEST_SILO_SECRET";
    private const string PassedOn = "DSPEX_TEST_PASSED_ON";
    private readonly DSPexClient _client = cluster.Client;

    /// <summary>One cluster for the class (it was one per test); every test starts and ends with the pool idle at size.</summary>
    public sealed class SecretsCluster : IAsyncLifetime
    {
        private TestCluster _cluster = null!;

        public DSPexClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            // The silo's own environment: one secret a worker must not see, one variable configured to be passed on.
            Environment.SetEnvironmentVariable(SiloSecret, "silo-only");
            Environment.SetEnvironmentVariable(PassedOn, "passed-on");
            _cluster = await TestClusters.StartAsync(1, pool: new Dictionary<string, string>
            {
                ["Size"] = "1",
                ["ConcurrencyPerWorker"] = "2",
                ["Environment:DSPEX_TEST_CONFIGURED"] = "configured",
                ["InheritEnvironment:0"] = PassedOn,
            });
            Client = new DSPexClient(_cluster.Client);
        }

        public async Task DisposeAsync()
        {
            await _cluster.StopAndDisposeAsync();
            Environment.SetEnvironmentVariable(SiloSecret, null);
            Environment.SetEnvironmentVariable(PassedOn, null);
        }
    }

    [Fact]
    public async Task A_worker_sees_what_python_needs_and_what_is_configured_but_not_the_silos_environment()
    {
        await EventuallyAtSizeAsync(); // a worker restarted after another test's crash sees the same environment
        var env = await _client.ExecuteAsync<JsonElement>("environment", new { show = new[] { "DSPEX_TEST_CONFIGURED", PassedOn } });
        var names = env.GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToHashSet();

        Assert.DoesNotContain(SiloSecret, names);
        Assert.Contains("PATH", names);
        Assert.Equal("configured", env.GetProperty("values").GetProperty("DSPEX_TEST_CONFIGURED").GetString());
        Assert.Equal("passed-on", env.GetProperty("values").GetProperty(PassedOn).GetString());
        Assert.DoesNotContain(names, n => n!.StartsWith("DSPEX_DSPex__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_crash_shows_its_stderr_to_the_caller_whose_request_crashed_only()
    {
        await EventuallyAtSizeAsync();
        // Alone on the worker: the crashed request's own caller gets the worker's last words.
        var alone = await Assert.ThrowsAsync<WorkerCrashedException>(
            () => _client.ExecuteRawAsync("print_secret_and_crash", """{"secret":"alone-123"}"""));
        Assert.Contains("alone-123", alone.Message);
        await EventuallyAtSizeAsync();

        // Beside another caller's request on the same worker: neither caller learns the other's output.
        var bystander = _client.ExecuteRawAsync("sleep", """{"seconds":30}""");
        await Eventually.HoldsAsync(_client.GetClusterStatsAsync, s => s.Pools.Sum(p => p.WorkerDetails.Sum(w => w.InFlight)) == 1, "the bystander running");
        var crashed = await Assert.ThrowsAsync<WorkerCrashedException>(
            () => _client.ExecuteRawAsync("print_secret_and_crash", """{"secret":"shared-456"}"""));
        var other = await Assert.ThrowsAsync<WorkerCrashedException>(() => bystander);

        Assert.DoesNotContain("shared-456", other.Message);
        Assert.DoesNotContain("shared-456", crashed.Message);
        Assert.Contains("silo log", other.Message);
        await EventuallyAtSizeAsync();
    }

    [Fact]
    public async Task A_crash_never_shows_what_an_earlier_request_of_another_caller_printed()
    {
        // Issue 20: caller A's request printed a secret and answered; caller B's request then crashed the worker alone
        // and B's error carried A's line from the stderr tail.
        await EventuallyAtSizeAsync();
        var pid = await _client.ExecuteAsync<int>("print_secret", new { secret = "sk-live-A-789" });
        var crashed = await Assert.ThrowsAsync<WorkerCrashedException>(() => _client.ExecuteRawAsync("exit_now", """{"code":9}"""));

        Assert.Contains($"pid {pid}", crashed.Message); // the same worker: the pool has one
        Assert.DoesNotContain("sk-live-A-789", crashed.Message);
        Assert.Contains("silo log", crashed.Message);
        await EventuallyAtSizeAsync();
    }

    private Task EventuallyAtSizeAsync() =>
        Eventually.HoldsAsync(_client.GetClusterStatsAsync, s => s.Pools.All(p => p.Workers == p.Size && p.Busy == 0), "pool idle at size");
}
