using DSPex.Orleans.Workers.Scheduling;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// The one owner of a pool slot's process: it starts it, restarts it after a crash with a back-off that grows with
/// failures in a row, replaces it (recycling: the fresh one is ready before the old one stops), kills it when it hangs
/// or keeps running a request its caller abandoned, and stops it with the pool. The pool only schedules and dispatches
/// (it is told through <see cref="ISlotListener{TWorker}"/>); the worker grain only asks. Starts, recycles and the stop
/// take turns (one at a time per slot), so a slot never has two owners' starts racing; a worker's exit, a health tick
/// and a kill never wait for them. The pool disposes it at its own end, after its stop.
/// </summary>
internal sealed partial class WorkerSupervisor<TWorker> : IDisposable
    where TWorker : class, ISupervisedWorker<TWorker>
{
    private readonly int _slot;
    private readonly CapacityScheduler<TWorker> _scheduler;
    private readonly SupervisorSettings _settings;
    private readonly IWorkerStarter<TWorker> _starter;
    private readonly ISlotListener<TWorker> _listener;
    private readonly BackgroundWork _background;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Func<TimeSpan, CancellationToken, Task> _wait;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private volatile TWorker? _worker;
    private TWorker? _watched; // the worker _heartbeats follows; both only touched by the health loop
    private HeartbeatWatch? _heartbeats;

    /// <param name="slot">The slot of <paramref name="scheduler"/> this supervisor owns.</param>
    /// <param name="scheduler">The pool's scheduler: a started worker joins it, a dead one leaves it.</param>
    /// <param name="settings">Grace periods, the heartbeat timeout and the recycle policy.</param>
    /// <param name="starter">Starts the slot's process.</param>
    /// <param name="listener">The pool, told of joins, failures and counts.</param>
    /// <param name="background">Owns the restarts, recycles and kills this supervisor runs in the background (the pool awaits them at its stop).</param>
    /// <param name="logger">The pool's logger: the supervisor logs its events in the pool's category and event-id range.</param>
    /// <param name="stopping">Cancelled when the pool stops: a start in progress ends, nothing restarts after.</param>
    /// <param name="wait">The back-off wait (<see cref="Task.Delay(TimeSpan, CancellationToken)"/> unless a test steps it).</param>
    public WorkerSupervisor(
        int slot,
        CapacityScheduler<TWorker> scheduler,
        SupervisorSettings settings,
        IWorkerStarter<TWorker> starter,
        ISlotListener<TWorker> listener,
        BackgroundWork background,
        ILogger logger,
        CancellationToken stopping,
        Func<TimeSpan, CancellationToken, Task>? wait = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, scheduler.Size);
        _slot = slot;
        _scheduler = scheduler;
        _settings = settings;
        _starter = starter;
        _listener = listener;
        _background = background;
        _logger = logger;
        _stopping = stopping;
        _wait = wait ?? Task.Delay;
    }

    public int Slot => _slot;

    public string WorkerId => _scheduler.WorkerIdOf(_slot);

    /// <summary>The slot's live worker, or null while it is down or starting.</summary>
    public TWorker? Worker => _worker is { HasExited: false } worker ? worker : null;

    private bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>
    /// Starts the worker if none is alive, and returns once it has joined the pool. A failed start is recorded (the
    /// slot's last start error, its failures in a row) and, with <paramref name="retryInBackground"/>, retried after
    /// the back-off until one succeeds or the pool stops; without, it is thrown. Once the pool stops, nothing starts and
    /// nothing is thrown.
    /// </summary>
    public async Task StartAsync(bool retryInBackground)
    {
        if (!_scheduler.IsActive(_slot))
        {
            return; // retired by an elastic pool's shrink meanwhile: a removed slot is not resurrected
        }

        try
        {
            await EnsureStartedAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (!IsStopping)
        {
            Log.StartFailed(_logger, e, WorkerId);
            var error = e.Message.Split('\n', 2)[0];
            var stranded = _scheduler.StartFailed(_slot, error);
            _listener.StartFailed(error);
            foreach (var waiter in stranded)
            {
                // No worker can come before the next retry's back-off: the requests queued for one fail now, with why.
                waiter.AbandonForFailedStart(error);
            }

            if (retryInBackground)
            {
                RestartLater();
            }
            else
            {
                throw;
            }
        }
        catch (Exception) when (IsStopping)
        {
            // The pool is stopping (or its warm-up was cancelled): the start was ended on purpose.
        }
    }

    /// <summary>Starts the worker if none is alive (throws when it cannot, or when the pool stops).</summary>
    public async Task EnsureStartedAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_worker is { HasExited: false })
            {
                return;
            }

            if (IsStopping)
            {
                throw new InvalidOperationException($"the pool is stopping; worker {WorkerId} stays down");
            }

            if (!_scheduler.IsActive(_slot))
            {
                throw new InvalidOperationException($"worker {WorkerId} is beyond the elastic pool's current size; it starts when the pool grows");
            }

            await StartAndJoinAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Ends the worker for good (the pool's stop token is cancelled first, so nothing starts again).</summary>
    public async Task StopAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_worker is { } worker)
            {
                await worker.StopAsync(_settings.StopGracePeriod).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Frees the turn. The pool's stop token is cancelled by then, so a restart or recycle still in the background ends
    /// at its next step; one that asks for a turn afterwards ends with ObjectDisposedException (the pool's stop has
    /// already warned that background work outlived it).
    /// </summary>
    public void Dispose() => _turn.Dispose();

    private async Task<TWorker> StartAndJoinAsync()
    {
        // Requests queue for a start under way; once it fails with no worker left, they are failed (see StartAsync).
        _scheduler.StartBegins(_slot);
        var worker = await _starter.StartAsync(_slot, _stopping).ConfigureAwait(false);
        _worker = worker;
        _listener.Joining(worker);
        worker.ExitedEvent += OnExited;
        foreach (var (waiter, lease) in _scheduler.Attach(_slot, worker, _settings.Recycle.RequestLimit(Random.Shared.NextDouble())))
        {
            _listener.Granted(waiter, lease);
        }

        if (worker.HasExited)
        {
            // It died before its handler was in place: as if the handler had seen it (a second call finds it gone).
            OnExited(worker);
        }

        return worker;
    }

    /// <summary>On the thread that saw the exit (a reader thread): the worker leaves the pool; a crash is restarted.</summary>
    private void OnExited(TWorker worker)
    {
        if (!_scheduler.WorkerExited(_slot, worker, crashed: !worker.StopRequested))
        {
            return; // no longer the slot's worker (replaced by a recycle, or seen already)
        }

        // A retired slot's worker that dies before its stop is not restarted: the shrink already took it out of the pool.
        if (!IsStopping && !worker.StopRequested && _scheduler.IsActive(_slot))
        {
            _listener.Restarting();
            RestartLater();
        }
    }

    private void RestartLater() => _background.Run($"restart of worker {WorkerId}", RestartLaterAsync);

    /// <summary>Restarts a dead worker after a back-off that grows with crashes in a row, so a crash storm cannot spin.</summary>
    private async Task RestartLaterAsync()
    {
        while (!IsStopping && _scheduler.IsActive(_slot))
        {
            var delay = RestartBackoff.Delay(_scheduler.ConsecutiveFailures(_slot));
            if (delay > TimeSpan.Zero)
            {
                await _wait(delay, _stopping).ConfigureAwait(false);
            }

            try
            {
                await StartAsync(retryInBackground: false).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (!IsStopping)
            {
                // Recorded by StartAsync; the next round waits longer.
            }
        }
    }
}
