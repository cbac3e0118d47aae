using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.Upgrade;

/// <summary>
/// A rolling upgrade, as Kubernetes runs one: a 3-silo cluster of the previous release (built from the commit named
/// in Upgrade/previous-release) on a real Redis (membership, reminders, sessions) is rolled to this build one silo at
/// a time (SIGTERM, wait for the exit, start the other build on the same ports), then rolled back, while callers run
/// idempotent stateless calls and session calls (variables, a program). Halfway back, one silo is SIGKILLed: one old,
/// one new, one dead. Nothing may be lost: no idempotent call fails, every variable a call was told it set is there
/// after every step, every session's program runs (rebuilt where its worker went), and sessions written by either
/// build are read by the other (the all-new cluster reads what the all-old one stored, and back).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class RollingUpgradeTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int SessionCount = 6;

    /// <summary>Every call's own deadline: a silo loss costs a caller latency within it, not an error.</summary>
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_cluster_rolls_from_the_previous_release_to_this_build_and_back_under_traffic_losing_nothing()
    {
        var previous = await PreviousRelease.BuildAsync();
        output.WriteLine($"measured: previous release {previous.Commit[..12]} built in {previous.BuildTime.TotalSeconds:F0} s");
        using var state = new TemporaryDirectory();
        var clusterId = $"upgrade-{Guid.NewGuid():N}";
        var cluster = new MixedCluster(previous, state.Path, clusterId, redis.ConnectionString, output);
        try
        {
            await RollAsync(cluster);
        }
        finally
        {
            await cluster.DisposeAsync();
            await previous.DisposeAsync();
        }
    }

    private async Task RollAsync(MixedCluster cluster)
    {
        var clock = Stopwatch.StartNew();
        for (var slot = 0; slot < 3; slot++)
        {
            await cluster.StartAsync(slot, Build.Previous);
        }

        await using var clientHost = await DSPexClientHost.ConnectAsync(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.RedisConnectionString = redis.ConnectionString;
        });
        var client = clientHost.Client;
        await cluster.AllServingAsync(client);

        // Sessions created, programmed and written by the previous release only.
        var sessions = new List<TrackedSession>();
        for (var i = 0; i < SessionCount; i++)
        {
            var session = new TrackedSession(client.Session($"upgrade-{i}-{Guid.NewGuid():N}"));
            await session.Session.CreateProgramAsync("greet", new { type = "template", template = "Hello {name}" });
            await session.SetAsync("written_by", "previous");
            sessions.Add(session);
        }

        var traffic = new Traffic(client, sessions, CallDeadline);
        traffic.Start();
        await traffic.RunningAsync();

        // Forward: previous -> this build, one silo at a time. Then the all-new cluster reads what the old one stored.
        for (var slot = 0; slot < 3; slot++)
        {
            await cluster.ReplaceAsync(slot, Build.Current, client);
            await CheckAsync(sessions, traffic, $"slot {slot} now this build");
        }

        Assert.All(sessions, s => Assert.Equal("previous", s.Confirmed["written_by"].GetString()));
        foreach (var session in sessions)
        {
            await session.SetAsync("written_by", "current");
        }

        // Back: this build -> previous. Halfway, one silo dies: one previous, one current, one dead.
        await cluster.ReplaceAsync(0, Build.Previous, client);
        await CheckAsync(sessions, traffic, "slot 0 back to the previous release");
        var killedAt = clock.Elapsed;
        cluster.Kill(2);
        output.WriteLine($"{clock.Elapsed:mm\\:ss} slot 2 (this build) SIGKILLed: one previous, one current, one dead");
        await CheckAsync(sessions, traffic, "one previous, one current, one dead");
        output.WriteLine($"measured: SIGKILL -> every session answering with all its variables: {(clock.Elapsed - killedAt).TotalSeconds:F1} s");

        await cluster.StartAsync(2, Build.Previous);
        await cluster.AllServingAsync(client);
        await CheckAsync(sessions, traffic, "slot 2 restarted as the previous release");
        await cluster.ReplaceAsync(1, Build.Previous, client);
        await CheckAsync(sessions, traffic, "all previous release again");

        // The all-old cluster read what the all-new one stored.
        foreach (var session in sessions)
        {
            var stored = JsonDocument.Parse(await session.Session.GetVariablesJsonAsync()).RootElement;
            Assert.Equal("current", stored.GetProperty("written_by").GetString());
        }

        await traffic.StopAsync();
        output.WriteLine($"measured: whole roll {clock.Elapsed.TotalSeconds:F0} s; {traffic.Summary()}");
        foreach (var failure in traffic.Failures.GroupBy(f => f.Length > 200 ? f[..200] : f).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  failure x{failure.Count()}: {failure.Key}");
        }

        Assert.Equal(0, traffic.FailedIdempotent);
        Assert.Equal(0, traffic.Untyped);
        Assert.True(traffic.SucceededIdempotent > 0 && traffic.SucceededSession > 0, traffic.Summary());
        Assert.All(sessions, s => Assert.True(s.Confirmed.Count > 1, $"session {s.Session.SessionId} set no variable under traffic"));
    }

    /// <summary>
    /// After a step: every session answers (within a bound: a dead silo's sessions wait for membership to declare it
    /// dead), holds every variable a call was told it set, and runs its program (rebuilt where its worker is gone).
    /// </summary>
    private async Task CheckAsync(List<TrackedSession> sessions, Traffic traffic, string step)
    {
        var clock = Stopwatch.StartNew();
        foreach (var session in sessions)
        {
            // What calls had confirmed before the read: a variable confirmed while it runs may not be in it yet.
            var expected = session.Confirmed.ToArray();
            var variables = await Eventually.HoldsAsync(
                () => Typed(async () => JsonDocument.Parse(await session.Session.GetVariablesJsonAsync()).RootElement.Clone()),
                v => v is not null, $"session {session.Session.SessionId} answers ({step})", TimeSpan.FromMinutes(2));
            foreach (var (name, value) in expected)
            {
                Assert.True(variables!.Value.TryGetProperty(name, out var stored), $"{step}: session {session.Session.SessionId} lost variable {name}");
                Assert.Equal(value.GetRawText(), stored.GetRawText());
            }

            var greeting = await Eventually.HoldsAsync(
                () => Typed(() => session.Session.ExecuteProgramAsync<JsonElement>("greet", new { name = "again" })),
                r => r is not null, $"session {session.Session.SessionId} runs its program ({step})", TimeSpan.FromMinutes(2));
            Assert.Equal("Hello again", greeting!.Value.GetProperty("text").GetString());
        }

        output.WriteLine($"checked: {step} in {clock.Elapsed.TotalSeconds:F1} s; {traffic.Summary()}");
    }

    /// <summary>A typed failure (the cluster is changing) is "not yet"; anything else fails the test.</summary>
    private static async Task<T?> Typed<T>(Func<Task<T>> call)
        where T : struct
    {
        try
        {
            return await call();
        }
        catch (DSPexException)
        {
            return null;
        }
    }

    private enum Build
    {
        Previous,
        Current,
    }

    /// <summary>Three silo slots with fixed ports; each slot runs one build at a time.</summary>
    private sealed class MixedCluster(PreviousRelease previous, string stateDirectory, string clusterId, string redis, ITestOutputHelper output) : IAsyncDisposable
    {
        private readonly RealSiloSettings[] _settings = Enumerable.Range(0, 3)
            .Select(_ => RealSiloSettings.WithRedis(stateDirectory, clusterId, redis)).ToArray();
        private readonly RealSiloProcess?[] _silos = new RealSiloProcess?[3];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public string ClusterId => clusterId;

        public async Task StartAsync(int slot, Build build)
        {
            var settings = build == Build.Current
                ? _settings[slot]
                : _settings[slot] with { Extra = new Dictionary<string, string> { ["DSPex:Pool:AdapterPaths:0"] = previous.TestAdapterPath } };
            var silo = RealSiloProcess.Start(settings, build == Build.Current ? null : previous.SiloAssembly);
            _silos[slot] = silo;
            await silo.Warm;
            output.WriteLine($"{_clock.Elapsed:mm\\:ss} slot {slot} warm: {build} build, pid {silo.Pid}, silo port {settings.SiloPort}");
        }

        /// <summary>SIGTERM, the exit, then the other build on the same ports, serving before the next step.</summary>
        public async Task ReplaceAsync(int slot, Build build, DSPexClient client)
        {
            var silo = _silos[slot]!;
            var stop = Stopwatch.StartNew();
            Assert.Equal(0, await silo.StopAsync());
            await silo.DisposeAsync();
            _silos[slot] = null;
            output.WriteLine($"{_clock.Elapsed:mm\\:ss} slot {slot} stopped (SIGTERM -> exit {stop.ElapsedMilliseconds} ms)");
            await StartAsync(slot, build);
            await AllServingAsync(client);
        }

        public void Kill(int slot) => _silos[slot]!.Kill();

        /// <summary>Every live slot's pool is in the cluster's stats, and no dead silo is still counted.</summary>
        public async Task AllServingAsync(DSPexClient client)
        {
            var live = Enumerable.Range(0, 3).Where(s => _silos[s] is { } silo && OsProcesses.IsAlive(silo.Pid)).Select(s => $":{_settings[s].SiloPort}@").ToList();
            string? last = null;
            try
            {
                await Eventually.HoldsAsync(
                    async () => await Typed(async () => (await client.GetClusterStatsAsync()).Pools.Select(p => p.Silo).ToList(), e => last = e) ?? [],
                    silos => (last = string.Join(", ", silos)) is not null && silos.Count == live.Count && live.All(port => silos.Any(s => s.Contains(port, StringComparison.Ordinal))),
                    $"the cluster serves from exactly the live slots ({string.Join(", ", live)})", TimeSpan.FromMinutes(3));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; last: {last}", e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in _silos)
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }
        }

        private static async Task<List<string>?> Typed(Func<Task<List<string>>> call, Action<string> failed)
        {
            try
            {
                return await call();
            }
            catch (DSPexException e)
            {
                failed($"{e.Kind}: {e.Message}");
                return null;
            }
        }
    }

    /// <summary>A session and the variables calls were told they set (what must never be lost).</summary>
    private sealed class TrackedSession(DSPexSession session)
    {
        public DSPexSession Session { get; } = session;

        public ConcurrentDictionary<string, JsonElement> Confirmed { get; } = new();

        public async Task SetAsync(string name, string value)
        {
            await Session.SetVariableAsync(name, value);
            Confirmed[name] = JsonSerializer.SerializeToElement(value);
        }
    }

    /// <summary>
    /// The load through the whole roll: two callers of idempotent stateless calls (which must never fail) and one
    /// caller cycling over the sessions, setting a fresh variable and running the program (which may fail typed
    /// while a silo goes, but lose nothing a call confirmed).
    /// </summary>
    private sealed class Traffic(DSPexClient client, List<TrackedSession> sessions, TimeSpan deadline)
    {
        private volatile bool _stopping; // read by the callers between calls (no call is cancelled by it)
        private readonly List<Task> _callers = [];
        private readonly Counts _idempotent = new(), _session = new();
        private int _untyped;

        public ConcurrentBag<string> Failures { get; } = [];

        public int SucceededIdempotent => Volatile.Read(ref _idempotent.Succeeded);

        public int FailedIdempotent => Volatile.Read(ref _idempotent.Failed);

        public int SucceededSession => Volatile.Read(ref _session.Succeeded);

        public int Untyped => Volatile.Read(ref _untyped);

        public void Start()
        {
            _callers.Add(Task.Run(IdempotentCallerAsync));
            _callers.Add(Task.Run(IdempotentCallerAsync));
            _callers.Add(Task.Run(SessionCallerAsync));
        }

        public Task RunningAsync() =>
            Eventually.HoldsAsync(() => SucceededIdempotent >= 10 && SucceededSession >= 5, "traffic running");

        public async Task StopAsync()
        {
            _stopping = true;
            await Task.WhenAll(_callers).WaitAsync(deadline + TimeSpan.FromMinutes(1));
        }

        public string Summary() =>
            $"idempotent calls ok {SucceededIdempotent} failed {FailedIdempotent}; session calls ok {SucceededSession} " +
            $"failed typed {Volatile.Read(ref _session.Failed)}; untyped failures {Untyped}";

        private async Task IdempotentCallerAsync()
        {
            var options = new ExecuteOptions { Idempotent = true, Timeout = deadline };
            while (!_stopping)
            {
                await CallAsync(() => client.ExecuteRawAsync("sleep", """{"seconds":0.01}""", options), _idempotent, "idempotent");
            }
        }

        private async Task SessionCallerAsync()
        {
            var options = new ExecuteOptions { Timeout = deadline };
            for (var n = 0; !_stopping; n++)
            {
                var session = sessions[n % sessions.Count];
                var name = $"v{n}";
                if (await CallAsync(() => session.Session.SetVariableAsync(name, n), _session, "set variable"))
                {
                    session.Confirmed[name] = JsonSerializer.SerializeToElement(n);
                }

                await CallAsync(() => session.Session.ExecuteProgramRawAsync("greet", """{"name":"load"}""", options), _session, "program");
            }
        }

        /// <summary>Runs one call: true when it succeeded; a typed failure is counted, an untyped one too (and fails the test).</summary>
        private async Task<bool> CallAsync(Func<Task> call, Counts counts, string what)
        {
            try
            {
                await call().WaitAsync(deadline + TimeSpan.FromSeconds(30));
                Interlocked.Increment(ref counts.Succeeded);
                return true;
            }
            catch (DSPexException e)
            {
                Interlocked.Increment(ref counts.Failed);
                Failures.Add($"{what}: {e.Kind}: {e.Message}");
                return false;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _untyped);
                Failures.Add($"{what}: untyped {e.GetType().Name}: {e.Message}");
                return false;
            }
        }

        private sealed class Counts
        {
            public int Succeeded;
            public int Failed;
        }
    }
}
