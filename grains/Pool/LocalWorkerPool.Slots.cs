using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Supervision;

namespace DSPex.Orleans.Pool;

/// <summary>
/// Slots: their supervisors (which own the processes) and what the pool does when a supervisor's worker joins, fails
/// to start or is replaced: dispatch queued requests to it, remember its commands, count.
/// </summary>
internal sealed partial class LocalWorkerPool : ISlotListener<PythonProcess>
{
    /// <summary>The category of everything a worker process logs, its stderr lines included.</summary>
    internal const string WorkerLogCategory = PythonWorkerStarter.WorkerLogCategory;

    internal bool IsValidSlot(int slotIndex) => slotIndex >= 0 && slotIndex < _scheduler.Size;

    /// <summary>The owner of the slot's process (the worker grain asks it to start and recycle).</summary>
    internal WorkerSupervisor<PythonProcess> SupervisorOf(int slotIndex) => _supervisors[slotIndex];

    private int? SlotOf(string workerId)
    {
        for (var i = 0; i < _scheduler.Size; i++)
        {
            if (_scheduler.WorkerIdOf(i) == workerId)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>One slot's state, as the stats report it.</summary>
    internal WorkerInfo SlotInfo(int slotIndex) => ToWorkerInfo(_scheduler.View(slotIndex));

    void ISlotListener<PythonProcess>.Joining(PythonProcess worker)
    {
        _adapterCommands = [.. worker.Commands.Where(c => !BridgeBuiltins.Commands.Contains(c))];
        _commandsKnown = true;
        _lastStartError = null;
        ProcessAttached?.Invoke(worker);
    }

    void ISlotListener<PythonProcess>.Granted(QueuedWaiter waiter, WorkerLease<PythonProcess> lease) => Deliver((CapacityWaiter)waiter, lease);

    void ISlotListener<PythonProcess>.StartFailed(string error) => _lastStartError = error;

    void ISlotListener<PythonProcess>.Restarting()
    {
        _counters.Restarted();
        Metrics?.WorkerRestarted();
    }

    void ISlotListener<PythonProcess>.Recycling()
    {
        _counters.Recycled();
        Metrics?.WorkerRecycled();
    }

    void ISlotListener<PythonProcess>.HungKilled()
    {
        _counters.HungKilled();
        Metrics?.HungWorkerKilled();
    }
}
