using DSPex.Orleans.Tools.Brokering;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The pools this silo runs: the default pool (DSPex:Pool) always, and each named pool (DSPex:Pools:NAME) whose
/// silo label, if it has one, is among this silo's labels (DSPex:Labels). Each pool has its own interpreter,
/// adapters, size and limits; they share the silo's process safety (one instance token, one registry) and meter.
/// A named pool that fails to start fails alone: the others serve, and its stats and readiness say why. The default
/// pool failing fails the silo's start. The silo's container owns it (a singleton): its pools are disposed with the
/// host, after their stop (PoolLifecycle, or SiloRunner for a start it gave up).
/// </summary>
internal sealed partial class SiloPools : IDisposable
{
    private readonly Dictionary<string, LocalWorkerPool> _pools;
    private readonly ILogger<SiloPools> _logger;
    private int _offersVersion;

    public SiloPools(
        IOptionsMonitor<DSPexPoolOptions> options,
        IOptions<SiloLabelOptions> labels,
        IEnumerable<NamedPoolRegistration> registrations,
        IOptions<ClusterOptions> cluster,
        ILocalSiloDetails silo,
        ILoggerFactory loggerFactory,
        DSPexInstruments instruments,
        ToolBroker tools)
    {
        _logger = loggerFactory.CreateLogger<SiloPools>();
        Silo = silo.SiloAddress;
        SiloKey = SiloKeys.ForSilo(Silo);
        Labels = [.. labels.Value.Labels];
        var named = registrations.Select(r => r.Name).Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Options: options.Get(name)))
            .Where(pool => pool.Options.SiloLabel is null || Labels.Contains(pool.Options.SiloLabel, StringComparer.Ordinal));
        var metrics = new PoolInstruments(instruments, this);
        _pools = new Dictionary<string, LocalWorkerPool>(StringComparer.Ordinal);
        foreach (var (name, poolOptions) in named.Prepend((PoolNames.Default, options.Get(Options.DefaultName))))
        {
            var pool = new LocalWorkerPool(name, poolOptions, InstanceToken, cluster.Value.ClusterId, Silo, loggerFactory, metrics, tools);
            pool.ProcessSpawned += process => ProcessSpawned?.Invoke(process);
            pool.ProcessAttached += process =>
            {
                Interlocked.Increment(ref _offersVersion);
                ProcessAttached?.Invoke(process);
            };
            _pools.Add(name, pool);
        }

        Default = _pools[PoolNames.Default];
        All = [.. _pools.Values];
    }

    /// <summary>The silo these pools run on.</summary>
    public SiloAddress Silo { get; }

    /// <summary>The silo's address with its generation, as it appears in the keys of its pinned grains.</summary>
    public string SiloKey { get; }

    /// <summary>This silo's labels (DSPex:Labels).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Names this silo process in every worker's marker, so the reaper can tell its own workers from an earlier incarnation's.</summary>
    public string InstanceToken { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The pool of DSPex:Pool, which every silo runs.</summary>
    public LocalWorkerPool Default { get; }

    /// <summary>Every pool of this silo, the default pool first.</summary>
    public IReadOnlyList<LocalWorkerPool> All { get; }

    /// <summary>The longest start timeout of any pool: how young an unclaimed worker may be before the reaper judges it.</summary>
    public TimeSpan LongestStartTimeout => All.Max(p => p.Options.StartTimeout);

    /// <summary>Raised the moment a worker of any pool is spawned, before its handshake (the silo's death watch listens).</summary>
    public event Action<PythonProcess>? ProcessSpawned;

    /// <summary>Raised when a worker of any pool is ready and joins its pool (the process registry listens).</summary>
    public event Action<PythonProcess>? ProcessAttached;

    /// <summary>The pool of that name on this silo, or null when this silo does not run it.</summary>
    public LocalWorkerPool? Find(string? name) => _pools.GetValueOrDefault(name ?? PoolNames.Default);

    /// <summary>Live worker processes of every pool, for the reaper.</summary>
    public IReadOnlyList<PythonProcess> LiveProcesses() => [.. All.SelectMany(p => p.LiveProcesses())];

    /// <summary>Changes whenever a worker joins a pool, so what <see cref="Offers"/> says may have changed.</summary>
    public int OffersVersion => Volatile.Read(ref _offersVersion);

    /// <summary>What each pool serves, for routers.</summary>
    public PoolOffer[] Offers() => [.. All.Select(p => new PoolOffer(p.Name, p.AdapterCommands, p.CommandsKnown))];

    /// <summary>Every pool's stats.</summary>
    public PoolStats[] Stats() => [.. All.Select(p => p.GetStats())];

    /// <summary>
    /// Warms every pool at once. The default pool failing fails the silo's start: every pool's processes are ended
    /// and <see cref="DefaultPoolStartException"/> (with the pool's reason) ends the host's start, for a
    /// co-hosting application as for <c>dspex-silo</c>. A named pool failing is logged and reported by its stats, and
    /// the silo starts without it.
    /// </summary>
    internal async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        await Task.WhenAll(All.Select(async pool =>
        {
            try
            {
                await pool.WarmUpAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept by the pool as its StartFailure: logged below, and for the default pool the silo's start fails.
            }
        }));

        if (Default.StartFailure is { } failure)
        {
            Log.DefaultPoolFailed(_logger, Silo, failure);
            // Nothing keeps running for a silo that will not start: the named pools' workers and the default pool's
            // start retries end here (the lifecycle does not stop a stage that failed).
            await StopAsync();
            throw new DefaultPoolStartException(failure);
        }

        foreach (var pool in All.Where(p => p.StartFailure is not null))
        {
            Log.PoolFailed(_logger, pool.Name, Silo, pool.StartFailure!);
        }

        WarmUpTime = DateTimeOffset.UtcNow - started;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // Counted and joined only for the line; CONTRIBUTING, "Logging", says why in locals.
            var live = All.Sum(p => p.LiveProcesses().Count);
            var size = All.Sum(p => p.Options.EffectiveMinSize);
            var pools = string.Join(", ", All.Select(p => $"{p.Name} {p.LiveProcesses().Count}/{p.Options.EffectiveMinSize}"));
            Log.Warm(_logger, Silo, live, size, (int)WarmUpTime.TotalMilliseconds, pools);
        }
    }

    /// <summary>How long the last <see cref="WarmUpAsync"/> took (the silo's ready line reports it).</summary>
    internal TimeSpan WarmUpTime { get; private set; }

    /// <summary>Drains every pool at once (see <see cref="LocalWorkerPool.DrainAsync"/>).</summary>
    internal Task DrainAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(All.Select(p => p.DrainAsync(p.Options.DrainTimeout, cancellationToken)));

    /// <summary>Ends every pool's processes.</summary>
    internal Task StopAsync() => Task.WhenAll(All.Select(p => p.StopAsync()));

    public void Dispose()
    {
        foreach (var pool in All)
        {
            pool.Dispose();
        }
    }

    private static partial class Log
    {
        // For people: harnesses wait for the silo's ready line instead (Hosting/SiloReadyLine); releases before it had
        // only this line, which the harnesses still read from an older build (LegacyWarmLine in the tests' infrastructure).
        [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Pool on {Silo} warm: {Live}/{Size} workers in {Elapsed} ms (pools: {Pools})")]
        public static partial void Warm(ILogger logger, SiloAddress silo, int live, int size, int elapsed, string pools);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Error, Message = "Pool {Pool} on {Silo} failed to start; the silo's other pools serve on: {Reason}")]
        public static partial void PoolFailed(ILogger logger, string pool, SiloAddress silo, string reason);

        [LoggerMessage(EventId = 1115, Level = LogLevel.Critical, Message = "The default pool on {Silo} failed to start, so the silo does not start: {Reason}")]
        public static partial void DefaultPoolFailed(ILogger logger, SiloAddress silo, string reason);
    }
}
