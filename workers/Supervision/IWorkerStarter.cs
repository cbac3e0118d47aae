namespace DSPex.Orleans.Workers.Supervision;

/// <summary>Starts the process of one slot: what the pool configures (interpreter, adapters, marker), the supervisor calls.</summary>
internal interface IWorkerStarter<TWorker>
    where TWorker : class
{
    /// <summary>Returns once the worker has completed its handshake; throws when it could not start (no process left behind).</summary>
    Task<TWorker> StartAsync(int slot, CancellationToken cancellationToken);
}
