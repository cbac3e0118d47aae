using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The silo-local half of the pool: hands each request to a worker with free capacity, queues the rest
/// (bounded, with a timeout), and keeps the pool at size by restarting dead workers through their grains.
/// It is a plain object behind the pool and router grains because a grain hop per request would cost more
/// than it gives; the worker grains stay the owners of the processes and the unit of placement.
/// </summary>
public sealed partial class LocalWorkerPool
{
    private readonly object _lock = new();

    private readonly WorkerSlot[] _slots;

    private readonly Queue<WorkerLease> _free = new();

    private readonly LinkedList<CapacityWaiter> _waiters = new();

    private readonly DSPexPoolOptions _options;

    private readonly RequestValidator _validator;

    private readonly IGrainFactory _grainFactory;

    private readonly ILogger<LocalWorkerPool> _logger;

    private readonly ILoggerFactory _loggerFactory;

    private readonly string _clusterId;

    private readonly string _instanceToken = Guid.NewGuid().ToString("N");

    private string? _pythonExecutable;

    private volatile bool _stopping;

    private volatile bool _draining;

    private volatile bool _warm;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long _served, _errors, _restarts, _queueTimeouts, _saturated, _recycles, _hungKilled, _retries;

    private readonly CancellationTokenSource _stopped = new();

    public LocalWorkerPool(
        IOptions<DSPexPoolOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILocalSiloDetails siloDetails,
        IGrainFactory grainFactory,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _validator = new RequestValidator(_options);
        _grainFactory = grainFactory;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LocalWorkerPool>();
        _clusterId = clusterOptions.Value.ClusterId;
        Silo = siloDetails.SiloAddress;
        SiloKey = SiloKeys.ForSilo(Silo);
        _slots = new WorkerSlot[Math.Max(1, _options.Size)];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new WorkerSlot(i, SiloKeys.ForWorker(Silo, i));
        }
    }

    public SiloAddress Silo { get; }

    public string SiloKey { get; }

    public DSPexPoolOptions Options => _options;

    public bool IsStopping => _stopping;

    /// <summary>The warm-up finished with at least one live worker: the silo can serve.</summary>
    public bool IsWarm => _warm && !_stopping && LiveProcesses().Count > 0;

    /// <summary>The silo is stopping: new work goes elsewhere while requests in flight finish.</summary>
    public bool IsDraining => _draining || _stopping;

    public PoolMetrics? Metrics { get; set; }

    /// <summary>Names this silo process in every worker's marker, so the reaper can tell its own workers from an earlier incarnation's.</summary>
    public string InstanceToken => _instanceToken;

    /// <summary>Raised when a worker's process is ready and joins the pool (the process registry listens).</summary>
    public event Action<PythonProcess>? ProcessAttached;

    /// <summary>Starts every worker at once and returns when each has answered its handshake or failed its first start.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        _pythonExecutable = await Task.Run(() => PythonInterpreter.Resolve(_options.PythonExecutable), cancellationToken);
        var started = DateTimeOffset.UtcNow;
        await Task.WhenAll(_slots.Select(slot => StartSlotAsync(slot, retryInBackground: true)));
        _warm = true;
        _ = MonitorHealthAsync(_stopped.Token);
        _logger.LogInformation(
            "Pool on {Silo} warm: {Live}/{Size} workers in {Elapsed} ms",
            Silo, _slots.Count(s => s.Process is { HasExited: false }), _slots.Length,
            (int)(DateTimeOffset.UtcNow - started).TotalMilliseconds);
    }

    private async Task StartSlotAsync(WorkerSlot slot, bool retryInBackground)
    {
        try
        {
            await _grainFactory.GetGrain<IWorkerGrain>(slot.WorkerId).EnsureStartedAsync();
        }
        catch (Exception e) when (!_stopping)
        {
            _logger.LogError("Worker {WorkerId} failed to start: {Error}", slot.WorkerId, e.Message);
            lock (_lock)
            {
                slot.ConsecutiveFailures++;
                slot.LastStartError = e.Message.Split('\n', 2)[0];
            }

            if (retryInBackground)
            {
                _ = RestartLaterAsync(slot);
            }
            else
            {
                throw;
            }
        }
        catch (Exception) when (_stopping)
        {
        }
    }

    /// <summary>Restarts a dead worker after a back-off that grows with crashes in a row, so a crash storm cannot spin.</summary>
    private async Task RestartLaterAsync(WorkerSlot slot)
    {
        while (!_stopping)
        {
            int failures;
            lock (_lock)
            {
                failures = slot.ConsecutiveFailures;
            }

            var delay = failures <= 1 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, failures - 2)));
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            try
            {
                await StartSlotAsync(slot, retryInBackground: false);
                return;
            }
            catch (Exception) when (!_stopping)
            {
            }
        }
    }

    /// <summary>What a worker grain starts for its slot.</summary>
    internal PythonProcessStartInfo CreateStartInfo(int slotIndex)
    {
        var slot = _slots[slotIndex];
        var bridgeDirectory = _options.BridgeDirectory ?? Path.Combine(AppContext.BaseDirectory, "Python");
        return new PythonProcessStartInfo(
            slot.WorkerId,
            _pythonExecutable ?? PythonInterpreter.Resolve(_options.PythonExecutable),
            bridgeDirectory,
            new ProcessMarker(_clusterId, SiloKey, slot.WorkerId, _instanceToken),
            _options.AdapterModules,
            _options.AdapterPaths,
            _options.Environment,
            _options.InheritEnvironment,
            _options.MaxFrameBytes,
            Math.Max(1, _options.ConcurrencyPerWorker),
            _options.StartTimeout);
    }

    internal ILogger CreateWorkerLogger() => _loggerFactory.CreateLogger("DSPex.Orleans.PythonWorker");

    internal bool IsValidSlot(int slotIndex) => slotIndex >= 0 && slotIndex < _slots.Length;

    /// <summary>Called by a worker grain once its process is ready: its capacity joins the pool.</summary>
    internal void Attach(int slotIndex, PythonProcess process)
    {
        var slot = _slots[slotIndex];
        ProcessAttached?.Invoke(process);
        process.ExitedEvent += OnProcessExited;
        var claimed = new List<(CapacityWaiter, WorkerLease)>();
        lock (_lock)
        {
            slot.Process = process;
            slot.LastStartError = null;
            slot.Incarnation++;
            slot.Recycling = false;
            slot.ServedByProcess = 0;
            slot.RecycleAtRequest = _options.RecycleAfterRequests <= 0
                ? 0
                : Math.Max(1, (long)Math.Round(_options.RecycleAfterRequests * (1 + _options.RecycleJitter * (2 * Random.Shared.NextDouble() - 1))));
            for (var i = 0; i < Math.Max(1, _options.ConcurrencyPerWorker); i++)
            {
                var lease = new WorkerLease(slot, process);
                if (GiveCapacity(lease) is { } waiter)
                {
                    claimed.Add((waiter, lease));
                }
            }
        }

        foreach (var (waiter, lease) in claimed)
        {
            Deliver(waiter, lease);
        }

        if (process.HasExited)
        {
            OnProcessExited(process);
        }
    }

    private void OnProcessExited(PythonProcess process)
    {
        var slot = _slots.FirstOrDefault(s => s.WorkerId == process.WorkerId);
        if (slot is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(slot.Process, process))
            {
                return;
            }

            slot.Process = null;
            if (!process.StopRequested)
            {
                slot.ConsecutiveFailures++;
            }

            foreach (var waiter in slot.Waiters)
            {
                waiter.AbandonForGoneWorker();
            }

            slot.Waiters.Clear();
        }

        if (!_stopping && !process.StopRequested)
        {
            Interlocked.Increment(ref _restarts);
            Metrics?.WorkerRestarted();
            _ = RestartLaterAsync(slot);
        }
    }

    public PoolStats GetStats()
    {
        WorkerInfo[] workers;
        int queued;
        lock (_lock)
        {
            workers = [.. _slots.Select(s => s.Snapshot())];
            queued = _waiters.Count;
        }

        return new PoolStats(
            SiloKey,
            _slots.Length,
            workers.Count(w => w.State is "idle" or "busy"),
            workers.Count(w => w.InFlight > 0),
            queued,
            Interlocked.Read(ref _served),
            Interlocked.Read(ref _errors),
            Interlocked.Read(ref _restarts),
            Interlocked.Read(ref _queueTimeouts),
            Interlocked.Read(ref _saturated),
            workers,
            Interlocked.Read(ref _recycles),
            Interlocked.Read(ref _hungKilled),
            Interlocked.Read(ref _retries));
    }

    /// <summary>Live worker processes, for tests and the reaper.</summary>
    public IReadOnlyList<PythonProcess> LiveProcesses()
    {
        lock (_lock)
        {
            return [.. _slots.Select(s => s.Process).OfType<PythonProcess>().Where(p => !p.HasExited)];
        }
    }

    /// <summary>Stops taking work, fails queued requests, and ends every Python process this silo started.</summary>
    public async Task StopAsync()
    {
        PythonProcess[] processes;
        CapacityWaiter[] waiting;
        _stopped.Cancel();
        lock (_lock)
        {
            _stopping = true;
            waiting = [.. _waiters, .. _slots.SelectMany(slot => slot.Waiters)];
            _waiters.Clear();
            foreach (var slot in _slots)
            {
                slot.Waiters.Clear();
            }

            processes = [.. _slots.Select(s => s.Process).OfType<PythonProcess>()];
        }

        foreach (var waiter in waiting)
        {
            waiter.Abandon();
        }

        await Task.WhenAll(processes.Select(p => p.StopAsync(_options.StopGracePeriod)));
        _logger.LogInformation("Pool on {Silo} stopped {Count} Python processes", Silo, processes.Length);
    }

    /// <summary>One slot's state, as the stats report it.</summary>
    internal WorkerInfo SlotInfo(int slotIndex)
    {
        lock (_lock)
        {
            return _slots[slotIndex].Snapshot();
        }
    }

    /// <summary>The slot's live process, for a worker grain activation to adopt.</summary>
    internal PythonProcess? CurrentProcess(int slotIndex)
    {
        lock (_lock)
        {
            return _slots[slotIndex].Process is { HasExited: false } process ? process : null;
        }
    }

    /// <summary>A worker grain went away while the silo lives on: activate it again so the slot keeps an owner.</summary>
    internal void ReactivateLater(int slotIndex)
    {
        _logger.LogInformation("Worker grain {WorkerId} was deactivated while its silo runs; activating it again", _slots[slotIndex].WorkerId);
        _ = Task.Run(() => StartSlotAsync(_slots[slotIndex], retryInBackground: true));
    }

    internal void Detach(int slotIndex, PythonProcess process)
    {
        lock (_lock)
        {
            var slot = _slots[slotIndex];
            if (ReferenceEquals(slot.Process, process))
            {
                slot.Process = null;
            }
        }
    }
}
