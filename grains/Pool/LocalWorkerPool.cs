using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

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
    private readonly Queue<WorkerLease> _free = new();
    private readonly LinkedList<CapacityWaiter> _waiters = new();
    private readonly DSPexPoolOptions _options;
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
        var claimed = new List<(CapacityWaiter, WorkerLease)>();
        lock (_lock)
        {
            slot.Process = process;
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

    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync(request, null, cancellationToken);

    /// <summary>
    /// Runs a request on a worker with free capacity, queueing when there is none. With an affinity, the
    /// session's worker is preferred as its mode says; a worker whose process changed (pid) no longer holds the
    /// session's programs and counts as gone.
    /// </summary>
    public async ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        var (grant, failure) = await AcquireAsync(request, affinity, cancellationToken);
        if (grant is not { } granted)
        {
            return failure!;
        }

        var response = await RunAsync(granted, request, cancellationToken);
        if (request.Idempotent && response.Error?.Kind == DSPexErrorKind.WorkerCrashed && !cancellationToken.IsCancellationRequested)
        {
            // Its worker died under it; a request marked idempotent is safe to run once more elsewhere.
            Interlocked.Increment(ref _retries);
            _logger.LogInformation("Retrying idempotent '{Command}' after its worker {WorkerId} crashed", request.Command, response.WorkerId);
            return await ExecuteAsync(request with { Idempotent = false }, null, cancellationToken);
        }

        return response;
    }

    /// <summary>
    /// Takes one unit of a worker's capacity, queueing for it when none is free; a failure says why not. A queued
    /// <paramref name="request"/> may come back already sent to its worker (see <see cref="Deliver"/>).
    /// </summary>
    private async ValueTask<(CapacityGrant? Grant, ExecuteResponse? Failure)> AcquireAsync(ExecuteRequest? request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        WorkerLease lease;
        CapacityWaiter? waiter = null;
        var waitLimit = _options.QueueTimeout;
        lock (_lock)
        {
            if (_stopping || _draining)
            {
                return (null, ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} is {(_draining ? "draining" : "stopping")}"));
            }

            var preferred = affinity is null ? null : PreferredSlot(affinity);
            if (affinity is not null && preferred is null && affinity.Mode == AffinityMode.StrictFailFast)
            {
                return (null, ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable,
                    $"the session's worker {affinity.WorkerId} (pid {affinity.Pid}) is gone"));
            }

            if (preferred is not null)
            {
                if (!TryTakeFreeFrom(preferred, out lease))
                {
                    if (affinity!.Mode == AffinityMode.StrictFailFast)
                    {
                        return (null, ExecuteResponse.Failure(DSPexErrorKind.WorkerBusy,
                            $"the session's worker {preferred.WorkerId} (pid {affinity.Pid}) is busy", preferred.WorkerId, affinity.Pid));
                    }

                    if (preferred.Waiters.Count >= _options.MaxQueueLength)
                    {
                        return (null, Saturated());
                    }

                    waiter = new CapacityWaiter(request);
                    waiter.Node = preferred.Waiters.AddLast(waiter);
                    waitLimit = affinity.Mode == AffinityMode.Hint ? _options.AffinityHintWait : _options.QueueTimeout;
                }
            }
            else if (!TryTakeFree(out lease))
            {
                if (_waiters.Count >= _options.MaxQueueLength)
                {
                    return (null, Saturated());
                }

                waiter = new CapacityWaiter(request);
                waiter.Node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is null)
        {
            return (new CapacityGrant(lease), null);
        }

        var queued = await WaitForCapacityAsync(waiter, waitLimit, cancellationToken);
        if (queued.Grant is not null)
        {
            return queued;
        }

        // A hint gives up on its worker after a short wait, and any mode moves on once that worker died:
        // the request runs anywhere and the program is rebuilt there from its spec.
        var moveOn = waiter.WorkerGone
            || (affinity?.Mode == AffinityMode.Hint && queued.Failure!.Error!.Kind == DSPexErrorKind.QueueTimeout);
        return moveOn ? await AcquireAsync(request, null, cancellationToken) : queued;
    }

    /// <summary>
    /// Runs a generator command and yields its items as they come. Python sends an item only against credit
    /// granted here as the caller reads (a bounded window), and a caller that stops reading cancels it.
    /// </summary>
    public async IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (acquired, failure) = await AcquireAsync(null, null, cancellationToken);
        if (acquired is not { Lease: var lease })
        {
            yield return new StreamItem(null, failure!.Error);
            yield break;
        }

        var window = Math.Max(1, _options.StreamWindow);
        var items = Channel.CreateBounded<string>(new BoundedChannelOptions(window) { SingleReader = true, SingleWriter = true });
        if (!lease.Process.TrySendStream(request.Command, request.ArgsJson, request.Session, request.Program, window, items.Writer,
                reply => Release(lease, reply), out var finished, out var id))
        {
            var unsent = finished.Result;
            Release(lease, unsent);
            yield return new StreamItem(null, unsent.Error);
            yield break;
        }

        var completed = false;
        try
        {
            var sinceCredit = 0;
            while (await items.Reader.WaitToReadAsync(cancellationToken))
            {
                while (items.Reader.TryRead(out var item))
                {
                    yield return new StreamItem(item, null);
                    if (++sinceCredit >= (window + 1) / 2)
                    {
                        lease.Process.GrantCredit(id, sinceCredit);
                        sinceCredit = 0;
                    }
                }
            }

            var reply = await finished;
            completed = true;
            if (reply.Error is { } error)
            {
                yield return new StreamItem(null, error);
            }
        }
        finally
        {
            if (!completed)
            {
                Abandon(lease, id, finished);
            }
        }
    }

    private ExecuteResponse Saturated()
    {
        Interlocked.Increment(ref _saturated);
        return ExecuteResponse.Failure(
            DSPexErrorKind.PoolSaturated,
            $"pool on {Silo} is saturated: {_slots.Length} workers busy and {_waiters.Count} requests queued (limit {_options.MaxQueueLength})");
    }

    private WorkerSlot? PreferredSlot(WorkerAffinity affinity)
    {
        foreach (var slot in _slots)
        {
            if (slot.WorkerId == affinity.WorkerId)
            {
                return slot.Process is { HasExited: false } process && process.Pid == affinity.Pid ? slot : null;
            }
        }

        return null;
    }

    private async ValueTask<(CapacityGrant? Grant, ExecuteResponse? Failure)> WaitForCapacityAsync(
        CapacityWaiter waiter, TimeSpan waitLimit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(waitLimit);
        await using (timeout.Token.UnsafeRegister(static state => ((CapacityWaiter)state!).Abandon(), waiter))
        {
            var grant = await waiter.Completion.Task;
            if (grant is not null)
            {
                return (grant, null);
            }
        }

        lock (_lock)
        {
            waiter.Node?.List?.Remove(waiter.Node);
        }

        if (_stopping)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.SiloUnavailable, $"silo {Silo} stopped while the request was queued"));
        }

        if (waiter.WorkerGone)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.SessionWorkerUnavailable, "the session's worker died while the request waited for it"));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return (null, ExecuteResponse.Failure(DSPexErrorKind.Cancelled, "cancelled by the caller while queued for a worker"));
        }

        Interlocked.Increment(ref _queueTimeouts);
        return (null, ExecuteResponse.Failure(
            DSPexErrorKind.QueueTimeout,
            $"no worker on {Silo} became free within the queue timeout of {waitLimit.TotalMilliseconds:0} ms"));
    }

    private async ValueTask<ExecuteResponse> RunAsync(CapacityGrant grant, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = grant.Lease;
        using var activity = DSPexActivities.Source.StartActivity("dspex.worker");
        activity?.SetTag("dspex.command", request.Command);
        activity?.SetTag("dspex.worker", slot.WorkerId);
        activity?.SetTag("dspex.pid", process.Pid);
        var call = grant.Sent ?? Send(grant.Lease, request);
        var response = await AwaitReplyAsync(grant.Lease, call, request, cancellationToken);
        activity?.SetTag("dspex.outcome", response.Error?.Kind.ToString() ?? "ok");
        Metrics?.RecordRequest(request.Command, response.Error?.Kind, System.Diagnostics.Stopwatch.GetElapsedTime(call.StartedAt));
        return response;
    }

    /// <summary>Writes a call to the lease's worker; its reply frees the lease on the reader thread (see <see cref="Release"/>).</summary>
    private SentCall Send(WorkerLease lease, ExecuteRequest request)
    {
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var sent = lease.Process.TrySend(request.Command, request.ArgsJson, request.Session, request.Program,
            reply => Release(lease, reply), out var finished, out var id);
        return new SentCall(finished, id, sent, startedAt);
    }

    private async ValueTask<ExecuteResponse> AwaitReplyAsync(WorkerLease lease, SentCall call, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = lease;
        var finished = call.Finished;
        if (!call.Sent)
        {
            // It never reached the worker, so no reply will come to free the lease.
            Release(lease, finished.Result);
        }
        else if (!finished.IsCompleted)
        {
            var deadline = request.Timeout ?? _options.RequestTimeout;
            try
            {
                await finished.WaitAsync(deadline, cancellationToken);
            }
            catch (TimeoutException)
            {
                Abandon(lease, call.Id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.DeadlineExceeded,
                    $"command '{request.Command}' did not finish within its deadline of {deadline.TotalMilliseconds:0} ms", slot.WorkerId, process.Pid);
            }
            catch (OperationCanceledException)
            {
                Abandon(lease, call.Id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.Cancelled,
                    $"command '{request.Command}' was cancelled by the caller", slot.WorkerId, process.Pid);
            }
        }

        var reply = finished.Result;
        if (!reply.Delivered && !_stopping)
        {
            // The worker died before the request reached it (its exit not yet seen): run it on another worker.
            return await ExecuteAsync(request, null, cancellationToken);
        }

        return reply.Error is null
            ? ExecuteResponse.Success(reply.ResultJson!, slot.WorkerId, process.Pid, reply.SessionUpdatesJson)
            : ExecuteResponse.Failure(reply.Error, slot.WorkerId, process.Pid);
    }

    /// <summary>
    /// The caller has its answer, but Python may still be running the request: its capacity stays taken until
    /// Python stops (its reply frees it). Past the grace period the worker is killed (and replaced), so nothing
    /// stays busy forever.
    /// </summary>
    private void Abandon(WorkerLease lease, long id, Task<BridgeReply> finished)
    {
        lease.Process.Cancel(id);
        _ = KillUnlessStoppedAsync(lease, finished);
    }

    private async Task KillUnlessStoppedAsync(WorkerLease lease, Task<BridgeReply> finished)
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
    }

    /// <summary>
    /// Frees a lease once its call is over. It runs on the worker's reader thread as the reply arrives (or on the
    /// thread that sees the process exit), so a queued request reaches the freed worker without waiting for the
    /// finished caller's continuation to be scheduled; only for a call that was never sent does its holder call it.
    /// </summary>
    private void Release(WorkerLease lease, BridgeReply reply)
    {
        var (slot, process) = lease;
        Interlocked.Increment(ref slot.Served);
        Interlocked.Increment(ref reply.Error is null ? ref _served : ref _errors);
        var recycleNow = false;
        CapacityWaiter? next = null;
        lock (_lock)
        {
            slot.InFlight--;
            slot.ServedByProcess++;
            if (reply.Error is null)
            {
                slot.ConsecutiveFailures = 0;
            }

            if (ReferenceEquals(slot.Process, process) && !process.HasExited && !_stopping)
            {
                if (slot.RecycleAtRequest > 0 && slot.ServedByProcess >= slot.RecycleAtRequest)
                {
                    slot.Recycling = true;
                }

                if (slot.Recycling)
                {
                    recycleNow = slot.InFlight == 0;
                }
                else
                {
                    next = GiveCapacity(lease);
                }
            }
        }

        if (next is not null)
        {
            Deliver(next, lease);
        }

        if (recycleNow)
        {
            _ = RecycleAsync(slot, process);
        }

        if (_draining && IsIdle())
        {
            _drained.TrySetResult();
        }
    }

    private bool IsIdle()
    {
        lock (_lock)
        {
            return _waiters.Count == 0 && _slots.All(s => s.InFlight == 0 && s.Waiters.Count == 0);
        }
    }

    /// <summary>
    /// Stops taking new work (callers get SiloUnavailable, and the router sends them to other silos), then waits
    /// up to <paramref name="timeout"/> for the requests in flight and queued to finish.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        if (IsIdle())
        {
            return true;
        }

        try
        {
            await _drained.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Pool on {Silo} still had requests in flight after the drain timeout of {Timeout}", Silo, timeout);
            return false;
        }
    }

    /// <summary>The worker's grain starts the replacement first and stops the old process only once it is ready.</summary>
    private async Task RecycleAsync(WorkerSlot slot, PythonProcess process)
    {
        Interlocked.Increment(ref _recycles);
        Metrics?.WorkerRecycled();
        _logger.LogInformation("Recycling worker {WorkerId} (pid {Pid}, {Served} requests, {Rss} MiB)",
            slot.WorkerId, process.Pid, slot.ServedByProcess, process.ResidentBytes() / 1048576);
        try
        {
            await _grainFactory.GetGrain<IWorkerGrain>(slot.WorkerId).RecycleAsync(process.Pid);
        }
        catch (Exception e) when (!_stopping)
        {
            _logger.LogWarning("Recycling worker {WorkerId} failed: {Error}; it will be restarted", slot.WorkerId, e.Message);
            process.Kill("recycling failed");
        }
    }

    /// <summary>
    /// Heartbeats every worker and checks its age and memory. A worker that has not answered for
    /// HeartbeatTimeout is hung (the bridge answers from its reader thread, so a busy one still answers).
    /// </summary>
    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var slot in _slots)
                {
                    CheckHealth(slot);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CheckHealth(WorkerSlot slot)
    {
        if (slot.Process is not { HasExited: false } process)
        {
            return;
        }

        if (process.SinceLastHeartbeat > _options.HeartbeatTimeout)
        {
            var reason = $"unresponsive: no heartbeat answer for {process.SinceLastHeartbeat.TotalMilliseconds:0} ms (limit {_options.HeartbeatTimeout.TotalMilliseconds:0} ms); killed";
            // The exit is observed a little after SIGKILL; until then this check runs again and must not recount.
            if (process.Kill(reason))
            {
                Interlocked.Increment(ref _hungKilled);
                Metrics?.HungWorkerKilled();
                _logger.LogWarning("Worker {WorkerId} (pid {Pid}) {Reason}", slot.WorkerId, process.Pid, reason);
            }

            return;
        }

        process.SendHeartbeat();
        var tooOld = _options.MaxWorkerAge is { } maxAge && DateTimeOffset.UtcNow - process.StartedAt > maxAge;
        var tooBig = _options.MaxWorkerResidentBytes > 0 && process.ResidentBytes() > _options.MaxWorkerResidentBytes;
        if (!tooOld && !tooBig)
        {
            return;
        }

        bool recycleNow;
        lock (_lock)
        {
            if (slot.Recycling || !ReferenceEquals(slot.Process, process))
            {
                return;
            }

            slot.Recycling = true;
            recycleNow = slot.InFlight == 0;
        }

        if (recycleNow)
        {
            _ = RecycleAsync(slot, process);
        }
    }

    // Both below run under _lock.
    private bool TryTakeFree(out WorkerLease lease)
    {
        while (_free.TryDequeue(out lease))
        {
            if (ReferenceEquals(lease.Slot.Process, lease.Process) && !lease.Process.HasExited && !lease.Slot.Recycling)
            {
                lease.Slot.InFlight++;
                return true;
            }
        }

        return false;
    }

    private bool TryTakeFreeFrom(WorkerSlot slot, out WorkerLease lease)
    {
        lease = default;
        var found = false;
        for (var remaining = _free.Count; remaining > 0; remaining--)
        {
            var candidate = _free.Dequeue();
            if (!ReferenceEquals(candidate.Slot.Process, candidate.Process) || candidate.Process.HasExited || candidate.Slot.Recycling)
            {
                continue;
            }

            if (!found && ReferenceEquals(candidate.Slot, slot))
            {
                lease = candidate;
                found = true;
                slot.InFlight++;
                continue;
            }

            _free.Enqueue(candidate);
        }

        return found;
    }

    /// <summary>
    /// Freed capacity goes first to requests waiting for this very worker, then to the general queue. Runs under
    /// _lock; a waiter it returns is claimed, and the caller completes it with <see cref="Deliver"/> outside the lock.
    /// </summary>
    private CapacityWaiter? GiveCapacity(WorkerLease lease)
    {
        if ((Claim(lease.Slot.Waiters) ?? Claim(_waiters)) is { } waiter)
        {
            lease.Slot.InFlight++;
            return waiter;
        }

        _free.Enqueue(lease);
        return null;
    }

    private static CapacityWaiter? Claim(LinkedList<CapacityWaiter> waiters)
    {
        while (waiters.First is { } first)
        {
            waiters.RemoveFirst();
            if (first.Value.TryClaim())
            {
                return first.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Completes a claimed waiter. Its call is written to the worker here, by the thread that freed it (usually the
    /// worker's reader thread), so Python gets its next request at once instead of idling through the waiter's
    /// thread-pool and grain-scheduler hops. Only with one request per worker: the reader thread then has no other
    /// reply of that worker to read, so it cannot block on a full pipe while Python blocks writing to it.
    /// </summary>
    private void Deliver(CapacityWaiter waiter, WorkerLease lease)
    {
        var sent = waiter.Request is { } request && _options.ConcurrencyPerWorker <= 1 ? Send(lease, request) : (SentCall?)null;
        waiter.Grant(new CapacityGrant(lease, sent));
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
