using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>
/// A request queued for worker capacity. Completed with a grant, or with null when it gives up. A releasing
/// thread claims it under the pool's lock and completes it outside, after writing its call to the worker, so a
/// timeout or cancellation that fires in between must lose to the claim rather than complete it first.
/// </summary>
internal sealed class CapacityWaiter(ExecuteRequest? request)
{
    private const int Waiting = 0, Claimed = 1, GaveUp = 2;
    private int _state;

    public TaskCompletionSource<CapacityGrant?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<CapacityWaiter>? Node { get; set; }

    /// <summary>The call the releasing thread sends for this request; null when the waiter sends its own (streams).</summary>
    public ExecuteRequest? Request => request;

    /// <summary>Set when the worker this request waited for died: the request then moves to any worker.</summary>
    public bool WorkerGone { get; private set; }

    /// <summary>Takes the waiter for a grant; false when it already gave up or another grant took it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Waiting) == Waiting;

    /// <summary>Completes a claimed waiter.</summary>
    public void Grant(CapacityGrant grant) => Completion.SetResult(grant);

    /// <summary>Queue timeout, caller cancellation or a stopping pool: gives up unless capacity was claimed first.</summary>
    public void Abandon()
    {
        if (TryGiveUp())
        {
            Completion.SetResult(null);
        }
    }

    public void AbandonForGoneWorker()
    {
        if (TryGiveUp())
        {
            WorkerGone = true;
            Completion.SetResult(null);
        }
    }

    private bool TryGiveUp() => Interlocked.CompareExchange(ref _state, GaveUp, Waiting) == Waiting;
}
