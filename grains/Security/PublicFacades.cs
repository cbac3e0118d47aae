using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Security;

/// <summary>
/// The grains that answer callers from outside the cluster: the router (stateless calls, streams, stats), the
/// session grains and the cluster reaper (sweep). Every other grain (pool, worker, silo reaper, Orleans' own
/// management grains) answers calls from inside the cluster only.
/// </summary>
internal static class PublicFacades
{
    public static bool Contains(object? grain) => grain is IRouterGrain or ISessionGrain or IReaperGrain;
}
