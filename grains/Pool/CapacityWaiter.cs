using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.Pool;

/// <summary>A request queued for worker capacity, completed with a grant, or with null when it gives up.</summary>
internal sealed class CapacityWaiter(ExecuteRequest? request) : QueuedWaiter
{
    public TaskCompletionSource<CapacityGrant?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The call the releasing thread sends for this request; null when the waiter sends its own (streams).</summary>
    public ExecuteRequest? Request => request;

    /// <summary>The request's trace context, taken as it queued: the releasing thread that sends it runs in another's.</summary>
    public TraceContext? Trace { get; } = TraceContext.Current();

    // The call the releasing thread sent for this waiter, while its grant waits for the call's answer (see
    // GrantWhenAnswered); 1 in _cancelled once the caller cancelled. Both written with full fences: each side writes
    // its own then reads the other's, so at least one of them sees both and answers the call.
    private PendingCall? _delivered;
    private int _cancelled;

    /// <summary>Completes a claimed waiter.</summary>
    public void Grant(CapacityGrant grant) => Completion.SetResult(grant);

    /// <summary>
    /// Completes a claimed waiter whose call the releasing thread sent (<see cref="CapacityGrant.Sent"/>) once that call
    /// is answered (its reply, its deadline, or the caller's cancellation: <see cref="CallerCancelled"/>), so the
    /// waiting grain turn is woken once, by the answer, instead of once for the grant and again for the reply.
    /// </summary>
    public void GrantWhenAnswered(CapacityGrant grant, PendingCall delivered)
    {
        Interlocked.Exchange(ref _delivered, delivered);
        delivered.WhenAnswered(() => Completion.TrySetResult(grant));
        if (Volatile.Read(ref _cancelled) == 1)
        {
            delivered.TryAnswerEarly(PendingCall.CallerCancelled);
        }
    }

    /// <summary>
    /// The caller cancelled: gives up while queued; once its call was sent for it (and the grant waits for the answer),
    /// answers the call <see cref="PendingCall.CallerCancelled"/>, which grants it, and the pool abandons the call.
    /// </summary>
    public void CallerCancelled()
    {
        Interlocked.Exchange(ref _cancelled, 1);
        Abandon();
        Volatile.Read(ref _delivered)?.TryAnswerEarly(PendingCall.CallerCancelled);
    }

    /// <summary>Set when the worker a pool started on demand for it failed to start: the request fails with that error.</summary>
    public string? StartError { get; private set; }

    /// <summary>The pool's on-demand start failed: gives up now (unless capacity was claimed first) with the start's error.</summary>
    public void FailStart(string error)
    {
        StartError = error;
        Abandon();
    }

    protected override void OnGaveUp() => Completion.SetResult(null);
}
