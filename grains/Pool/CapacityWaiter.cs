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

    protected override void OnGaveUp() => Completion.SetResult(null);
}
