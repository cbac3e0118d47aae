using DSPex.Orleans.Tools.Brokering;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Scaling;
using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The silo-local half of the pool: hands each request to a worker with free capacity and queues the rest
/// (bounded, with a timeout). It is a plain object behind the pool and router grains because a grain hop per
/// request would cost more than it gives. Who gets which worker is decided by its <see cref="CapacityScheduler{TWorker}"/>;
/// each slot's process is owned by its <see cref="WorkerSupervisor{TWorker}"/> (start, restart with back-off, recycle,
/// kills, stop): the pool schedules and dispatches, and does not manage restarts. The worker grains are the slots'
/// public face and unit of placement; they ask the supervisors. <see cref="SiloPools"/> owns it and disposes it with the
/// silo's container, after its stop.
/// </summary>
internal sealed partial class LocalWorkerPool : IDisposable
{
    private readonly CapacityScheduler<PythonProcess> _scheduler;
    private readonly PoolCounters _counters = new();
    private readonly DSPexPoolOptions _options;
    private readonly RequestValidator _validator;
    private readonly ILogger<LocalWorkerPool> _logger;
    private readonly BackgroundWork _background;
    private readonly PythonWorkerStarter _starter;
    private readonly WorkerSupervisor<PythonProcess>[] _supervisors;
    private readonly PoolScaler _scaler;
    private readonly string _instanceToken;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopped = new();
    private volatile bool _stopping;
    private volatile bool _draining;
    private volatile bool _warm;
    private Task _healthLoop = Task.CompletedTask;
    private volatile string? _startFailure;
    private volatile string? _lastStartError;
    private volatile IReadOnlyList<string> _adapterCommands = [];
    private volatile bool _commandsKnown;
    private int _disposed;

    /// <summary>Created by <see cref="SiloPools"/>, once per pool this silo runs.</summary>
    internal LocalWorkerPool(
        string name,
        DSPexPoolOptions options,
        string instanceToken,
        string clusterId,
        SiloAddress silo,
        ILoggerFactory loggerFactory,
        PoolInstruments instruments,
        ToolBroker? tools)
    {
        // Checked at start by DSPexPoolOptionsValidator (sizes positive, a defined stderr level): used as written.
        Name = name;
        _options = options;
        _instanceToken = instanceToken;
        _validator = new RequestValidator(_options);
        _logger = loggerFactory.CreateLogger<LocalWorkerPool>();
        _background = new BackgroundWork(_logger);
        Silo = silo;
        SiloKey = SiloKeys.ForSilo(Silo);
        // One slot per worker the pool may grow to; the first MinSize are active from the start (all of them in a fixed pool).
        var workerIds = Enumerable.Range(0, _options.EffectiveMaxSize).Select(i => SiloKeys.ForWorker(Silo, name, i)).ToList();
        _scheduler = new CapacityScheduler<PythonProcess>(
            workerIds, _options.ConcurrencyPerWorker, _options.MaxQueueLength, static process => process.HasExited || process.Connection.WriteBroken, _options.SendAhead,
            activeSlots: _options.EffectiveMinSize);
        _scaler = new PoolScaler(new ScalePolicy(
            _options.EffectiveMinSize, _options.EffectiveMaxSize, _options.ConcurrencyPerWorker, _options.ScaleUpAfter, _options.ScaleDownIdleTimeout));
        var recycle = new RecyclePolicy(_options.RecycleAfterRequests, _options.RecycleJitter, _options.MaxWorkerAge, _options.MaxWorkerResidentBytes);
        _starter = new PythonWorkerStarter(_options, clusterId, SiloKey, instanceToken, _scheduler.WorkerIdOf, _scheduler.Concurrency, loggerFactory,
            process => ProcessSpawned?.Invoke(process));
        var settings = new SupervisorSettings(_options.StopGracePeriod, _options.HeartbeatTimeout, _options.CancelGracePeriod, recycle, _options.HeartbeatInterval);
        _supervisors = [.. Enumerable.Range(0, _options.EffectiveMaxSize).Select(slot =>
            new WorkerSupervisor<PythonProcess>(slot, _scheduler, settings, _starter, this, _background, _logger, _stopped.Token))];
        Tools = tools;
        // Learns each worker's commands (for bounded metric labels) as the first listener of ProcessAttached.
        Metrics = instruments.For(this);
    }

    /// <summary>The pool's name ("default" for the pool of DSPex:Pool).</summary>
    public string Name { get; }

    /// <summary>The silo this pool runs on.</summary>
    public SiloAddress Silo { get; }

    /// <summary>The silo's address with its generation, as it appears in the keys of its pinned grains.</summary>
    public string SiloKey { get; }

    /// <summary>The options the pool runs with.</summary>
    public DSPexPoolOptions Options => _options;

    /// <summary>The silo is stopping its workers.</summary>
    public bool IsStopping => _stopping;

    /// <summary>
    /// The warm-up finished with at least one live worker, or, for a pool that starts on demand, with its interpreter
    /// found (no worker is its idle state): the pool can serve.
    /// </summary>
    public bool IsWarm => _warm && !_stopping && (StartsOnDemand || LiveProcesses().Count > 0);

    /// <summary>The silo is stopping: new work goes elsewhere while requests in flight finish.</summary>
    public bool IsDraining => _draining || _stopping;

    internal PoolMetrics Metrics { get; }

    /// <summary>Runs the tool calls Python makes mid-request (the silo's one broker).</summary>
    internal ToolBroker? Tools { get; }

    /// <summary>Names this silo process in every worker's marker, so the reaper can tell its own workers from an earlier incarnation's.</summary>
    internal string InstanceToken => _instanceToken;

    /// <summary>Raised when a worker's process is ready and joins the pool (the process registry listens).</summary>
    internal event Action<PythonProcess>? ProcessAttached;

    /// <summary>Raised the moment a worker's process is spawned, before its handshake (the silo's death watch listens).</summary>
    internal event Action<PythonProcess>? ProcessSpawned;

    /// <summary>
    /// Starts every worker at once and returns when each has answered its handshake or failed its first start. A
    /// pool whose interpreter cannot be found fails here (the silo's start-up check refuses that for the default
    /// pool first); <see cref="SiloPools"/> lets a named pool fail alone.
    /// </summary>
    internal async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        // A stop during the warm-up (SIGTERM while the host starts) ends the starts in progress: their processes are
        // killed and the warm-up returns at once, instead of waiting out each start timeout.
        await using var cancelStarts = cancellationToken.Register(CancelStarts);
        try
        {
            await _starter.ResolveInterpreterAsync(_logger, _stopped.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _startFailure = e.Message;
            throw;
        }

        var started = DateTimeOffset.UtcNow;
        // The active slots only (an elastic pool's minimum): a parked slot's StartAsync does nothing.
        await Task.WhenAll(_supervisors.Select(supervisor => supervisor.StartAsync(retryInBackground: true)));
        cancellationToken.ThrowIfCancellationRequested();
        _warm = true;
        _healthLoop = MonitorHealthAsync(_stopped.Token);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // Counted only for the line (a list under the scheduler's lock); CONTRIBUTING, "Logging", says why in locals.
            var live = LiveProcesses().Count;
            Log.Warm(_logger, Name, Silo, live, _scheduler.ActiveCount, (int)(DateTimeOffset.UtcNow - started).TotalMilliseconds);
        }
    }

    /// <summary>The host's start was cancelled: the starts in progress end (after Dispose the source is cancelled already).</summary>
    private void CancelStarts()
    {
        if (!_stopped.IsCancellationRequested)
        {
            _stopped.Cancel();
        }
    }

    /// <summary>
    /// Why the pool has no live worker after its warm-up (its interpreter or its workers could not start); null while it
    /// has one. A pool that starts on demand has none when idle: only its last start's error counts (cleared by the
    /// next worker that starts).
    /// </summary>
    public string? StartFailure =>
        _startFailure ?? (_warm && LiveProcesses().Count == 0
            ? StartsOnDemand ? _lastStartError : _lastStartError ?? "no worker has started"
            : null);

    /// <summary>The commands the pool's adapters register (built-in commands left out), as its last started worker reported them.</summary>
    public IReadOnlyList<string> AdapterCommands => _adapterCommands;

    /// <summary>A worker has started, so <see cref="AdapterCommands"/> is what the pool serves.</summary>
    internal bool CommandsKnown => _commandsKnown;

    /// <summary>The pool's workers, their state and the queue, without touching /proc.</summary>
    public PoolStats GetStats()
    {
        // No /proc read here: resident memory is the health loop's last sample, so a scrape costs one short lock.
        var (slots, queued) = _scheduler.ViewAll();
        return _counters.ToStats(SiloKey, _scheduler.ActiveCount, [.. slots.Select(ToWorkerInfo)], queued) with
        {
            Pool = Name,
            StartFailure = StartFailure,
            MinSize = _options.EffectiveMinSize,
            MaxSize = _options.EffectiveMaxSize,
        };
    }

    private static WorkerInfo ToWorkerInfo(SlotView<PythonProcess> slot) =>
        new(slot.WorkerId, slot.Worker?.Pid ?? 0, slot.State, slot.InFlight, slot.Served, slot.Incarnation, slot.Worker?.ResidentBytes ?? 0);

    /// <summary>Live worker processes, for tests and the reaper.</summary>
    internal IReadOnlyList<PythonProcess> LiveProcesses() => _scheduler.LiveWorkers();

    /// <summary>Stops taking work, fails queued requests, and ends every Python process this silo started.</summary>
    internal async Task StopAsync()
    {
        _stopping = true;
        if (!_stopped.IsCancellationRequested)
        {
            await _stopped.CancelAsync(); // once: a second stop (SiloRunner's, for a start it gave up) may come after Dispose
        }

        var (waiting, processes) = _scheduler.Stop();
        foreach (var waiter in waiting)
        {
            waiter.Abandon();
        }

        // Each supervisor ends its process (a start in progress was cancelled above, and nothing restarts after).
        await Task.WhenAll(_supervisors.Select(supervisor => supervisor.StopAsync()));
        await _healthLoop;
        if (!await _background.WhenAllAsync(_options.StopGracePeriod + TimeSpan.FromSeconds(10)))
        {
            Log.BackgroundWorkOutlivedStop(_logger, Name, Silo);
        }

        Log.Stopped(_logger, Name, Silo, processes.Length);
    }

    /// <summary>
    /// Frees the stop token and the supervisors' turns. Normally after <see cref="StopAsync"/>; a pool disposed without
    /// it (a host whose start failed) is told to stop first, so no restart in the background outlives it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // disposed by SiloPools and, for the default pool, by the container that resolved it too
        }

        _stopping = true;
        if (!_stopped.IsCancellationRequested)
        {
            _stopped.Cancel();
        }

        foreach (var supervisor in _supervisors)
        {
            supervisor.Dispose();
        }

        _stopped.Dispose();
    }
}
