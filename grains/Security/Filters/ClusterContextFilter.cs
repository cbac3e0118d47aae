namespace DSPex.Orleans.Security.Filters;

/// <summary>
/// Strips session and program context from every request that comes from outside the cluster, whichever grain
/// it reaches (the router, or a pool grain in a host without the trust boundary): only a session grain, from
/// its own state, may give a request a session's variables or a program spec to splice into a worker's frame.
/// </summary>
internal sealed class ClusterContextFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (CallOrigin.IsExternal(context))
        {
            ExternalRequests.StripClusterContext(context.Request);
        }

        return context.Invoke();
    }
}
