using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>One worker slot pinned to its silo; owns one Python OS process at a time.</summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.IWorkerGrain")]
internal interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts the Python process if none is running, and returns once it has completed its handshake.</summary>
    [Alias("D9999D47")]
    Task<WorkerInfo> EnsureStartedAsync();

    /// <summary>The worker's process and its state.</summary>
    [Alias("87D849C1")]
    Task<WorkerInfo> GetInfoAsync();

    /// <summary>Replaces the process with the given pid by a fresh one: the new one is ready before the old one stops.</summary>
    [Alias("A7213FBD")]
    Task RecycleAsync(int pid);
}
