using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Pool;

/// <summary>
/// One position in a silo's pool. Its worker grain puts a started process in it; the pool hands out its
/// capacity. Mutable fields are guarded by the pool's lock.
/// </summary>
internal sealed class WorkerSlot(int index, string workerId)
{
    public int Index { get; } = index;

    public string WorkerId { get; } = workerId;

    public PythonProcess? Process { get; set; }

    public int InFlight { get; set; }

    /// <summary>Session requests waiting for this worker in particular (affinity); served before the general queue.</summary>
    public LinkedList<CapacityWaiter> Waiters { get; } = new();

    public long Served;

    public int Incarnation { get; set; }

    /// <summary>Requests served by the current process, and the count at which it is recycled (0: never).</summary>
    public long ServedByProcess { get; set; }

    public long RecycleAtRequest { get; set; }

    /// <summary>The current process takes no new work; it is replaced once its requests finish.</summary>
    public bool Recycling { get; set; }

    /// <summary>Why the last start of this slot's worker failed; cleared once a process is attached.</summary>
    public string? LastStartError { get; set; }

    /// <summary>Crashes in a row without a served request; drives the restart back-off.</summary>
    public int ConsecutiveFailures { get; set; }

    public string State => Process switch
    {
        null => "starting",
        { HasExited: true } => "dead",
        _ when Recycling => "recycling",
        _ when InFlight > 0 => "busy",
        _ => "idle",
    };

    public WorkerInfo Snapshot() =>
        new(WorkerId, Process?.Pid ?? 0, State, InFlight, Interlocked.Read(ref Served), Incarnation, Process?.ResidentBytes() ?? 0);
}
