using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// Streams in a session. The session starts a stream and hands it to the gateway: the request with its context (id,
/// variables) and pool, and the worker it prefers. The gateway streams from that worker's silo, so the session grain
/// (not reentrant) is not held while the stream runs and the session's other calls go on beside it. A stream reads the
/// session's variables as they were when it started; it does not move the session to another worker, and the variable
/// changes a streamed command makes are not stored (a stream has no single answer to carry them).
/// </summary>
internal sealed partial class SessionGrain
{
    public async Task<SessionStreamStart> StartStreamAsync(ExecuteRequest request, SessionOptions options)
    {
        // As ExecuteAsync: a session this stream creates, naming no pool, runs in the pool of its command.
        if (request is not null && options is not null && options.Pool is null && request.Pool is null && _limits.IsValidSessionId(SessionId)
            && !await ExistsAsync() && await dispatcher.PoolOfCommandAsync(request.Command) is { } pool)
        {
            options = options with { Pool = pool };
        }

        try
        {
            if (request is null || options is null)
            {
                return new SessionStreamStart(null, null, new ExecuteError(DSPexErrorKind.InvalidArguments, request is null ? "request is required" : "options is required"));
            }

            CheckRequest(options);
            return await ChangeAsync(options, () => Task.FromResult(StreamStart(request)));
        }
        catch (DSPexRequestException e)
        {
            return new SessionStreamStart(null, null, e.ToError());
        }
    }

    private SessionStreamStart StreamStart(ExecuteRequest request)
    {
        if (request.Pool is { } named && named != Session.PoolName)
        {
            return new SessionStreamStart(null, null, new ExecuteError(DSPexErrorKind.InvalidArguments,
                $"session '{SessionId}' runs in pool {Session.PoolName}; a stream in it cannot name pool {named}"));
        }

        Session.Increment(SessionCounters.Streams);
        return new SessionStreamStart(
            request with { Session = new SessionCallContext(SessionId, Session.VariablesJson()), Program = null, Pool = Session.PoolName },
            Session.WorkerAffinity(), null);
    }
}
