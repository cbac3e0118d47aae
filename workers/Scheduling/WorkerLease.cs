namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>One unit of a worker's capacity, tied to the worker it was granted on (stale once that worker is replaced).</summary>
internal readonly record struct WorkerLease<TWorker>(WorkerSlot<TWorker> Slot, TWorker Worker)
    where TWorker : class;
