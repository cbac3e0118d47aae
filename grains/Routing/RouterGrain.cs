using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using Orleans.Concurrency;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Runs on the gateway silo that received the call (stateless worker) and hands the request to that silo's pool
/// without another grain hop. When the local queue is full, the request spills to other silos' pools.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class RouterGrain(PoolDispatcher dispatcher, LocalWorkerPool pool) : Grain, IRouterGrain
{
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        // Session and program context only come through a session grain.
        dispatcher.DispatchAsync(request.Session is null && request.Program is null ? request : request with { Session = null, Program = null }, null, cancellationToken);

    // Streams stay on the gateway's pool: a stream is long-lived, so it does not spill.
    public IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request) =>
        pool.StreamAsync(request with { Session = null, Program = null }, CancellationToken.None);

    public async Task<ClusterStats> GetClusterStatsAsync()
    {
        var answers = await Task.WhenAll(dispatcher.ActiveSilos().Select(async silo =>
        {
            try
            {
                return (silo, stats: await GrainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).GetStatsAsync()
                    .WaitAsync(TimeSpan.FromSeconds(10)));
            }
            catch (Exception)
            {
                return (silo, stats: (PoolStats?)null);
            }
        }));
        return new ClusterStats(
            [.. answers.Where(a => a.stats is not null).Select(a => a.stats!)],
            [.. answers.Where(a => a.stats is null).Select(a => SiloKeys.ForSilo(a.silo))]);
    }
}
