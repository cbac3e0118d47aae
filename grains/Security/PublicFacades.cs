using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Security;

/// <summary>
/// The grains that answer callers from outside the cluster: the router (stateless calls, streams, stats), the
/// session grains and the cluster reaper (sweep). Every other grain (pool, worker, silo reaper, Orleans' own
/// management grains) answers calls from inside the cluster only. The benchmark floor grain is a facade only in a
/// silo that registered it (DSPex:Silo:BenchmarkFloor); elsewhere its type does not exist.
/// </summary>
internal static class PublicFacades
{
    public static bool Contains(object? grain) => grain is IRouterGrain or ISessionGrain or IReaperGrain or IBenchmarkFloorGrain;
}
