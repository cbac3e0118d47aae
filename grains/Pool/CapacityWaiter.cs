namespace DSPex.Orleans.Pool;

/// <summary>A request queued for worker capacity. Completed with a lease, or with null when it gives up.</summary>
internal sealed class CapacityWaiter
{
    public TaskCompletionSource<WorkerLease?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<CapacityWaiter>? Node { get; set; }

    /// <summary>Set when the worker this request waited for died: the request then moves to any worker.</summary>
    public bool WorkerGone { get; private set; }

    /// <summary>Queue timeout or caller cancellation: gives up unless capacity was granted first.</summary>
    public void Abandon() => Completion.TrySetResult(null);

    public void AbandonForGoneWorker()
    {
        WorkerGone = true;
        Completion.TrySetResult(null);
    }
}
