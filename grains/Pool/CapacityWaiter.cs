using DSPex.Orleans.Contracts;
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

    /// <summary>Completes a claimed waiter.</summary>
    public void Grant(CapacityGrant grant) => Completion.SetResult(grant);

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
