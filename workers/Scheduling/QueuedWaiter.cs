namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// A request queued for worker capacity. A releasing thread claims it under the scheduler's lock and completes it
/// outside, so a timeout or cancellation that fires in between must lose to the claim rather than complete it first.
/// </summary>
internal abstract class QueuedWaiter
{
    private const int Waiting = 0, Claimed = 1, GaveUp = 2;
    private int _state;

    /// <summary>Where it waits (the general queue or one worker's); guarded by the scheduler's lock.</summary>
    internal LinkedListNode<QueuedWaiter>? Node { get; set; }

    /// <summary>The request may be sent ahead to a busy worker (no affinity, not a stream); set when it is queued.</summary>
    internal bool MayGoAhead { get; set; }

    /// <summary>
    /// When it gives up waiting (queue timeout, in <see cref="Timing.DeadlineTimer.Now"/> ms; long.MaxValue: never):
    /// the scheduler's one timer abandons it then (see <see cref="CapacityScheduler{TWorker}"/>).
    /// </summary>
    public long GiveUpAt { get; init; } = long.MaxValue;

    /// <summary>When it joined its queue (<see cref="Environment.TickCount64"/>): an elastic pool grows when requests wait long.</summary>
    internal long QueuedAtMs { get; set; }

    /// <summary>Set when the worker this request waited for died: the request then moves to any worker.</summary>
    public bool WorkerGone { get; private set; }

    /// <summary>Set when it gave up because no worker of the pool can start: the request fails with this start error.</summary>
    public string? StartError { get; private set; }

    /// <summary>Takes the waiter for a grant; false when it already gave up or another grant took it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Waiting) == Waiting;

    /// <summary>Queue timeout, caller cancellation or a stopping pool: gives up unless capacity was claimed first.</summary>
    public void Abandon()
    {
        if (TryGiveUp())
        {
            OnGaveUp();
        }
    }

    public void AbandonForGoneWorker()
    {
        if (TryGiveUp())
        {
            WorkerGone = true;
            OnGaveUp();
        }
    }

    /// <summary>No worker of the pool can start (see CapacityScheduler.StartFailed): gives up unless capacity was claimed first.</summary>
    public void AbandonForFailedStart(string error)
    {
        if (TryGiveUp())
        {
            StartError = error;
            OnGaveUp();
        }
    }

    /// <summary>Completes the waiter without capacity; called once, by whichever gave up first.</summary>
    protected abstract void OnGaveUp();

    private bool TryGiveUp() => Interlocked.CompareExchange(ref _state, GaveUp, Waiting) == Waiting;
}
