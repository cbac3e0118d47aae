using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Pool;

/// <summary>One unit of a worker's capacity, tied to the process it was granted on (stale once that process is replaced).</summary>
internal readonly record struct WorkerLease(WorkerSlot Slot, PythonProcess Process);
