using DSPex.Orleans.Calls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using Orleans.Concurrency;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Runs on the gateway silo that received the call (stateless worker) and hands the request to that silo's pool
/// without another grain hop. When the local queue is full, the request spills to other silos' pools.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class RouterGrain(PoolDispatcher dispatcher, LocalWorkerPool pool, CallTracker calls) : Grain, IRouterGrain
{
    // Under the client's probe timeout, so a slow silo makes an answer inconclusive rather than failing the probe.
    private static readonly TimeSpan CallStateProbeTimeout = TimeSpan.FromSeconds(5);

    public async ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        // Recorded on the gateway: the reply goes back through it, even when the request spills to another silo.
        using var call = calls.Begin(request.CallId);
        // Session and program context only come through a session grain.
        return await dispatcher.DispatchAsync(request.Session is null && request.Program is null ? request : request with { Session = null, Program = null }, null, cancellationToken);
    }

    public async Task<ExecuteResponse> ExecuteInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken)
    {
        using var call = calls.Begin(request.CallId);
        return await GrainFactory.GetGrain<ISessionGrain>(sessionId).ExecuteAsync(request, options, cancellationToken);
    }

    public async Task<ExecuteResponse> ExecuteProgramAsync(string sessionId, string programId, string argsJson, TimeSpan? timeout, Guid callId, SessionOptions options, CancellationToken cancellationToken)
    {
        using var call = calls.Begin(callId);
        return await GrainFactory.GetGrain<ISessionGrain>(sessionId).ExecuteProgramAsync(programId, argsJson, timeout, options, cancellationToken);
    }

    // Streams stay on the gateway's pool: a stream is long-lived, so it does not spill.
    public IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request) =>
        pool.StreamAsync(request with { Session = null, Program = null }, CancellationToken.None);

    public async Task<CallStatesReport> GetCallStatesAsync(Guid[] callIds)
    {
        var answers = await Task.WhenAll(dispatcher.ActiveSilos().Select(async silo =>
        {
            try
            {
                return (States: await GrainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo)).GetCallStatesAsync(callIds)
                    .WaitAsync(CallStateProbeTimeout), Answered: true);
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException)
            {
                // Unreachable: a gone silo holds nothing whose reply could still reach the client.
                return (States: Array.Empty<CallState>(), Answered: true);
            }
            catch (TimeoutException)
            {
                // Slow or paused, not known gone: it may hold calls, so this answer cannot rule them out.
                return (States: Array.Empty<CallState>(), Answered: false);
            }
        }));
        var merged = new CallState[callIds.Length];
        foreach (var answer in answers.Where(a => a.States.Length == callIds.Length))
        {
            for (var i = 0; i < merged.Length; i++)
            {
                merged[i] = (CallState)Math.Max((int)merged[i], (int)answer.States[i]);
            }
        }

        return new CallStatesReport(merged, answers.All(a => a.Answered));
    }

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
