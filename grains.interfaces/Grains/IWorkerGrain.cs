using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>One worker slot pinned to its silo; owns one Python OS process at a time.</summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts the Python process if none is running, and returns once it has completed its handshake.</summary>
    Task<WorkerInfo> EnsureStartedAsync();

    /// <summary>The worker's process and its state.</summary>
    Task<WorkerInfo> GetInfoAsync();

    /// <summary>Replaces the process with the given pid by a fresh one: the new one is ready before the old one stops.</summary>
    Task RecycleAsync(int pid);
}
