namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>
/// One position in a silo's pool. Its worker grain puts a started worker in it; the scheduler hands out its
/// capacity. Mutable members are guarded by the scheduler's lock.
/// </summary>
internal sealed class WorkerSlot<TWorker>(int index, string workerId, bool active = true)
    where TWorker : class
{
    public int Index { get; } = index;

    public string WorkerId { get; } = workerId;

    public TWorker? Worker { get; set; }

    public int InFlight { get; set; }

    /// <summary>Calls of the current worker only (reset when a worker joins): past Concurrency, the ones sent ahead.</summary>
    public int WorkerInFlight { get; set; }

    /// <summary>Session requests waiting for this worker in particular (affinity); served before the general queue.</summary>
    public LinkedList<QueuedWaiter> Waiters { get; } = new();

    /// <summary>Requests served by any worker of this slot.</summary>
    public long Served { get; set; }

    public int Incarnation { get; set; }

    /// <summary>Requests served by the current worker, and the count at which it is recycled (0: never).</summary>
    public long ServedByWorker { get; set; }

    public long RecycleAtRequest { get; set; }

    /// <summary>The current worker takes no new work; it is replaced once its requests finish.</summary>
    public bool Recycling { get; set; }

    /// <summary>
    /// Its supervisor is starting a worker for it now (set as the start begins; cleared when it joins or fails). A
    /// recycle whose fresh start fails leaves it set until the slot's next start ends: meanwhile its requests queue, as
    /// they did before a pool could tell that no worker can start.
    /// </summary>
    public bool Starting { get; set; }

    /// <summary>Why the last start of this slot's worker failed; cleared once a worker is attached.</summary>
    public string? LastStartError { get; set; }

    /// <summary>Starts that failed since a worker last joined (crashes not counted); cleared once a worker is attached.</summary>
    public int StartFailuresInRow { get; set; }

    /// <summary>
    /// The slot counts toward the pool's size (an elastic pool's slots past its current size are not): an inactive
    /// slot is never granted, never restarted, and its worker, if it still has one, is retiring.
    /// </summary>
    public bool Active { get; set; } = active;

    /// <summary>When its in-flight count last fell to 0, or its worker joined (<see cref="Environment.TickCount64"/>).</summary>
    public long IdleSinceMs { get; set; }

    /// <summary>Crashes in a row without a served request; drives the restart back-off.</summary>
    public int ConsecutiveFailures { get; set; }
}
