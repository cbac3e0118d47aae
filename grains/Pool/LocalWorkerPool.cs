using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Processes;
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
public sealed class LocalWorkerPool
{
    private readonly object _lock = new();
    private readonly WorkerSlot[] _slots;
    private readonly Queue<Lease> _free = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly DSPexPoolOptions _options;
    private readonly IGrainFactory _grainFactory;
    private readonly ILogger<LocalWorkerPool> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _clusterId;
    private readonly string _instanceToken = Guid.NewGuid().ToString("N");
    private string? _pythonExecutable;
    private volatile bool _stopping;
    private long _served, _errors, _restarts, _queueTimeouts, _saturated;

    public LocalWorkerPool(
        IOptions<DSPexPoolOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILocalSiloDetails siloDetails,
        IGrainFactory grainFactory,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value;
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
        lock (_lock)
        {
            slot.Process = process;
            slot.Incarnation++;
            for (var i = 0; i < Math.Max(1, _options.ConcurrencyPerWorker); i++)
            {
                GiveCapacity(new Lease(slot, process));
            }
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
        }

        if (!_stopping && !process.StopRequested)
        {
            Interlocked.Increment(ref _restarts);
            _ = RestartLaterAsync(slot);
        }
    }

    public async ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        Lease lease;
        Waiter? waiter = null;
        lock (_lock)
        {
            if (_stopping)
            {
                return ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} is stopping");
            }

            if (!TryTakeFree(out lease))
            {
                if (_waiters.Count >= _options.MaxQueueLength)
                {
                    Interlocked.Increment(ref _saturated);
                    return ExecuteResponse.Failure(
                        DSPexErrorKind.PoolSaturated,
                        $"pool on {Silo} is saturated: {_slots.Length} workers busy and {_waiters.Count} requests queued (limit {_options.MaxQueueLength})");
                }

                waiter = new Waiter();
                waiter.Node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is not null)
        {
            var queued = await WaitForCapacityAsync(waiter, cancellationToken);
            if (queued.Lease is not { } granted)
            {
                return queued.Failure!;
            }

            lease = granted;
        }

        return await RunAsync(lease, request, cancellationToken);
    }

    private async ValueTask<(Lease? Lease, ExecuteResponse? Failure)> WaitForCapacityAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.QueueTimeout);
        await using (timeout.Token.UnsafeRegister(static state => ((Waiter)state!).Abandon(), waiter))
        {
            var lease = await waiter.Completion.Task;
            if (lease is not null)
            {
                return (lease, null);
            }
        }

        lock (_lock)
        {
            if (waiter.Node?.List is not null)
            {
                _waiters.Remove(waiter.Node);
            }
        }

        if (_stopping)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} stopped while the request was queued"));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.Cancelled, "cancelled by the caller while queued for a worker"));
        }

        Interlocked.Increment(ref _queueTimeouts);
        return (null, ExecuteResponse.Failure(
            DSPexErrorKind.QueueTimeout,
            $"no worker on {Silo} became free within the queue timeout of {_options.QueueTimeout.TotalMilliseconds:0} ms"));
    }

    private async ValueTask<ExecuteResponse> RunAsync(Lease lease, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = lease;
        var finished = process.Send(request.Command, request.ArgsJson, out var id);
        if (!finished.IsCompleted)
        {
            var deadline = request.Timeout ?? _options.RequestTimeout;
            try
            {
                await finished.WaitAsync(deadline, cancellationToken);
            }
            catch (TimeoutException)
            {
                Abandon(lease, id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.DeadlineExceeded,
                    $"command '{request.Command}' did not finish within its deadline of {deadline.TotalMilliseconds:0} ms", slot.WorkerId, process.Pid);
            }
            catch (OperationCanceledException)
            {
                Abandon(lease, id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.Cancelled,
                    $"command '{request.Command}' was cancelled by the caller", slot.WorkerId, process.Pid);
            }
        }

        var reply = finished.Result;
        Release(lease, reply);
        return reply.Error is null
            ? ExecuteResponse.Success(reply.ResultJson!, slot.WorkerId, process.Pid)
            : ExecuteResponse.Failure(reply.Error, slot.WorkerId, process.Pid);
    }

    /// <summary>
    /// The caller has its answer, but Python may still be running the request: its capacity stays taken until
    /// Python stops. Past the grace period the worker is killed (and replaced), so nothing stays busy forever.
    /// </summary>
    private void Abandon(Lease lease, long id, Task<BridgeReply> finished)
    {
        lease.Process.Cancel(id);
        _ = ReleaseWhenStoppedAsync(lease, finished);
    }

    private async Task ReleaseWhenStoppedAsync(Lease lease, Task<BridgeReply> finished)
    {
        try
        {
            await finished.WaitAsync(_options.CancelGracePeriod);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning(
                "Worker {WorkerId} (pid {Pid}) did not stop an abandoned request within {Grace} ms; killing it",
                lease.Slot.WorkerId, lease.Process.Pid, _options.CancelGracePeriod.TotalMilliseconds);
            lease.Process.Kill();
        }

        Release(lease, await finished);
    }

    private void Release(Lease lease, BridgeReply reply)
    {
        var (slot, process) = lease;
        Interlocked.Increment(ref slot.Served);
        Interlocked.Increment(ref reply.Error is null ? ref _served : ref _errors);
        lock (_lock)
        {
            slot.InFlight--;
            if (reply.Error is null)
            {
                slot.ConsecutiveFailures = 0;
            }

            if (ReferenceEquals(slot.Process, process) && !process.HasExited && !_stopping)
            {
                GiveCapacity(lease);
            }
        }
    }

    // Both below run under _lock.
    private bool TryTakeFree(out Lease lease)
    {
        while (_free.TryDequeue(out lease))
        {
            if (ReferenceEquals(lease.Slot.Process, lease.Process) && !lease.Process.HasExited)
            {
                lease.Slot.InFlight++;
                return true;
            }
        }

        return false;
    }

    private void GiveCapacity(Lease lease)
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            if (first.Value.Completion.TrySetResult(lease))
            {
                lease.Slot.InFlight++;
                return;
            }
        }

        _free.Enqueue(lease);
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
            workers);
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
        Waiter[] waiting;
        lock (_lock)
        {
            _stopping = true;
            waiting = [.. _waiters];
            _waiters.Clear();
            processes = [.. _slots.Select(s => s.Process).OfType<PythonProcess>()];
        }

        foreach (var waiter in waiting)
        {
            waiter.Completion.TrySetResult(null);
        }

        await Task.WhenAll(processes.Select(p => p.StopAsync(_options.StopGracePeriod)));
        _logger.LogInformation("Pool on {Silo} stopped {Count} Python processes", Silo, processes.Length);
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

    private readonly record struct Lease(WorkerSlot Slot, PythonProcess Process);

    private sealed class Waiter
    {
        public TaskCompletionSource<Lease?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        /// <summary>Queue timeout or caller cancellation: gives up unless capacity was granted first.</summary>
        public void Abandon() => Completion.TrySetResult(null);
    }
}
