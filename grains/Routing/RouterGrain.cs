using DSPex.Orleans.Calls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Routing;

/// <summary>
/// Runs on the gateway silo that received the call (stateless worker) and hands the request to that silo's pool
/// without another grain hop. When the local queue is full, the request spills to other silos' pools.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class RouterGrain(PoolDispatcher dispatcher, SiloPools pools, CallTracker calls, SessionStreams sessionStreams, ILogger<RouterGrain> logger)
    : Grain, IRouterGrain
{
    // Under the client's probe timeout, so a slow silo makes an answer inconclusive rather than failing the probe.
    private static readonly TimeSpan CallStateProbeTimeout = TimeSpan.FromSeconds(5);

    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () =>
        {
            // Only what routing reads is checked here; the pool that runs the request checks the rest (args, deadline)
            // at its entry, so the args are scanned once per call rather than once here and again there.
            if (request is null || RequestChecks.Command(request.Command) is not null || (request.Pool is not null && !PoolNames.IsValid(request.Pool)))
            {
                return ExecuteResponse.Failure(Check(request)!);
            }

            // Recorded on the gateway: the reply goes back through it, even when the request spills to another silo.
            using var call = calls.Begin(request.CallId);
            // Session and program context only come through a session grain.
            return await dispatcher.DispatchAsync(request.Session is null && request.Program is null ? request : request with { Session = null, Program = null }, null, cancellationToken);
        }, logger, "execute", cancellationToken);

    public Task<ExecuteResponse> ExecuteInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () =>
        {
            // Refused before the session grain runs, so a bad call neither creates a session nor counts in it.
            if ((RequestChecks.Id(sessionId is null ? null : Security.SessionKeys.IdOf(sessionId), "sessionId") ?? Check(request) ?? RequestChecks.Present(options, "options")) is { } invalid)
            {
                return ExecuteResponse.Failure(invalid);
            }

            using var call = calls.Begin(request.CallId);
            return await GrainFactory.GetGrain<ISessionGrain>(sessionId!).ExecuteAsync(request, options, cancellationToken);
        }, logger, "session execute", cancellationToken).AsTask();

    public Task<ExecuteResponse> ExecuteProgramAsync(string sessionId, string programId, string argsJson, TimeSpan? timeout, Guid callId, SessionOptions options, Tools.ClientTools? tools, CancellationToken cancellationToken) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () =>
        {
            var invalid = RequestChecks.Id(sessionId is null ? null : Security.SessionKeys.IdOf(sessionId), "sessionId")
                ?? RequestChecks.Command(programId, "programId")
                ?? Check(new ExecuteRequest($"program:{programId}", argsJson, timeout))
                ?? RequestChecks.Present(options, "options");
            if (invalid is not null)
            {
                return ExecuteResponse.Failure(invalid);
            }

            using var call = calls.Begin(callId);
            // The session records the call by its id, so a repeat after a lost silo is answered, not run again.
            SessionCallId.Set(callId);
            return await GrainFactory.GetGrain<ISessionGrain>(sessionId!).ExecuteProgramAsync(programId, argsJson, timeout, options, tools, cancellationToken);
        }, logger, "program execute", cancellationToken).AsTask();

    // Streams stay on the gateway's pools: a stream is long-lived, so it does not spill, and a pool this silo does not
    // run is refused. The pool bounds it by its deadline and idle limit, and Orleans disposes it (cancelling it in
    // Python) when the caller stops reading.
    // A scoped credential's UnknownCommand item lists only what it may run, as an execute answer does.
    public IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request) =>
        ScopedUnknownCommand.ForCaller(GrainBoundary.Guard(() => StreamRoutedAsync(request), logger, "stream"), request?.Command, ServiceProvider);

    private async IAsyncEnumerable<StreamItem> StreamRoutedAsync(ExecuteRequest? request)
    {
        if (request is null)
        {
            await foreach (var item in pools.Default.StreamAsync(null!, CancellationToken.None))
            {
                yield return item;
            }

            yield break;
        }

        var (routed, error) = await dispatcher.RouteAsync(request with { Session = null, Program = null });
        var pool = routed is null ? null : pools.Find(routed.Pool);
        if (pool is null)
        {
            yield return new StreamItem(null, error ?? new ExecuteError(DSPexErrorKind.NoWorkers,
                $"pool {routed!.Pool} does not run on the gateway silo {pools.Silo}; a stream runs on its gateway's pools"));
            yield break;
        }

        await foreach (var item in pool.StreamAsync(routed!, CancellationToken.None))
        {
            yield return item;
        }
    }

    // An upload runs on the gateway's pools as a stream does: its chunks come from the caller through this silo.
    public Task<ExecuteResponse> ExecuteUploadAsync(ExecuteRequest request, IChunkSource source, long? declaredLength) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () =>
        {
            if ((Check(request) ?? RequestChecks.Present(source, "source")) is { } invalid)
            {
                return ExecuteResponse.Failure(invalid);
            }

            using var call = calls.Begin(request.CallId);
            var (routed, error) = await dispatcher.RouteAsync(request with { Session = null, Program = null });
            var pool = routed is null ? null : pools.Find(routed.Pool);
            return pool is null
                ? ExecuteResponse.Failure(error ?? new ExecuteError(DSPexErrorKind.NoWorkers,
                    $"pool {routed!.Pool} does not run on the gateway silo {pools.Silo}; an upload runs on its gateway's pools"))
                : await pool.ExecuteUploadAsync(routed!, source, declaredLength, CancellationToken.None);
        }, logger, "upload", CancellationToken.None).AsTask();

    // A session's upload: the session grain starts it as it starts a stream (its checks, its owner, its variables and
    // pool, its preferred worker), and it runs where the session's worker is (see SessionStreams). Its chunks come from
    // the caller through whichever silo runs it (the chunk source is a client object any silo can call).
    public Task<ExecuteResponse> ExecuteUploadInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, IChunkSource source, long? declaredLength) =>
        GrainBoundary.Guard(async ValueTask<ExecuteResponse> () =>
        {
            // Refused before the session grain runs, so a bad call neither creates a session nor counts in it.
            var invalid = RequestChecks.Id(sessionId is null ? null : Security.SessionKeys.IdOf(sessionId), "sessionId") ?? Check(request)
                ?? RequestChecks.Present(options, "options") ?? RequestChecks.Present(source, "source");
            if (invalid is not null)
            {
                return ExecuteResponse.Failure(invalid);
            }

            using var call = calls.Begin(request.CallId);
            var start = await GrainFactory.GetGrain<ISessionGrain>(sessionId!).StartStreamAsync(request, options);
            return start.Request is { } routed
                ? await sessionStreams.UploadAsync(routed, start.Affinity, source, declaredLength)
                : ExecuteResponse.Failure(start.Error ?? new ExecuteError(DSPexErrorKind.Internal, "the session started no upload"));
        }, logger, "session upload", CancellationToken.None).AsTask();

    // A session's stream: the session grain starts it (its checks, its owner, its variables and pool) and the stream
    // runs where the session's worker is (see SessionStreams), read one item per fetch across silos so credit stays exact.
    public IAsyncEnumerable<StreamItem> StreamInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options) =>
        ScopedUnknownCommand.ForCaller(GrainBoundary.Guard(() => StreamInSessionCheckedAsync(sessionId, request, options), logger, "session stream"),
            request?.Command, ServiceProvider);

    private async IAsyncEnumerable<StreamItem> StreamInSessionCheckedAsync(string? sessionId, ExecuteRequest? request, SessionOptions? options)
    {
        // Refused before the session grain runs, so a bad call neither creates a session nor counts in it.
        if ((RequestChecks.Id(sessionId is null ? null : Security.SessionKeys.IdOf(sessionId), "sessionId") ?? Check(request) ?? RequestChecks.Present(options, "options")) is { } invalid)
        {
            yield return new StreamItem(null, invalid);
            yield break;
        }

        var start = await GrainFactory.GetGrain<ISessionGrain>(sessionId!).StartStreamAsync(request!, options!);
        if (start.Request is not { } routed)
        {
            yield return new StreamItem(null, start.Error ?? new ExecuteError(DSPexErrorKind.Internal, "the session started no stream"));
            yield break;
        }

        await foreach (var item in sessionStreams.StreamAsync(routed, start.Affinity))
        {
            yield return item;
        }
    }

    /// <summary>The entry checks, with the limits of the pool the request names (the default pool's when it names none).</summary>
    private ExecuteError? Check(ExecuteRequest? request) =>
        request?.Pool is { } named && PoolNames.Check(named, "pool") is { } invalid
            ? invalid
            : (pools.Find(request?.Pool) ?? pools.Default).Check(request);

    // One per gateway silo (this grain is a stateless worker with one activation per silo).
    private CallStateBatches? _callStates;

    public Task<CallStatesReport> GetCallStatesAsync(Guid[] callIds) =>
        (_callStates ??= new CallStateBatches(AskCallStatesAsync)).AskAsync(callIds ?? []);

    private async Task<CallStatesReport> AskCallStatesAsync(Guid[] callIds)
    {
        var answers = await AskEveryPoolAsync(pool => pool.GetCallStatesAsync(callIds), CallStateProbeTimeout);
        var merged = new CallState[callIds.Length];
        foreach (var states in answers.Select(a => a.Value).OfType<CallState[]>().Where(s => s.Length == callIds.Length))
        {
            for (var i = 0; i < merged.Length; i++)
            {
                merged[i] = (CallState)Math.Max((int)merged[i], (int)states[i]);
            }
        }

        // An unreachable silo is gone and holds nothing whose reply could still reach the client; one that is slow
        // or paused (not known gone) may hold calls, so its silence leaves the answer inconclusive.
        var conclusive = answers.All(a => a.Failure is null or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException);
        return new CallStatesReport(merged, conclusive);
    }

    public async Task<ClusterStats> GetClusterStatsAsync()
    {
        var answers = await AskEveryPoolAsync(pool => pool.GetAllStatsAsync(), TimeSpan.FromSeconds(10));
        return new ClusterStats(
            [.. answers.Select(a => a.Value).OfType<PoolStats[]>().SelectMany(s => s)],
            [.. answers.Where(a => a.Value is null).Select(a => SiloKeys.ForSilo(a.Silo))]);
    }

    /// <summary>Asks the pool of every active silo at once; a silo that fails or times out answers with its exception.</summary>
    private Task<SiloAnswer<T>[]> AskEveryPoolAsync<T>(Func<IPoolGrain, Task<T>> ask, TimeSpan timeout)
        where T : class =>
        Task.WhenAll(dispatcher.ActiveSilos().Select(async silo =>
        {
            try
            {
                return new SiloAnswer<T>(silo, await ask(GrainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(silo))).WaitAsync(timeout), null);
            }
            catch (Exception e)
            {
                return new SiloAnswer<T>(silo, null, e);
            }
        }));

    private readonly record struct SiloAnswer<T>(SiloAddress Silo, T? Value, Exception? Failure)
        where T : class;
}
