using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// The client's execute calls: each is tracked while in flight, bounded by its own limit (<see cref="CallLimitSweep"/>),
/// failed at once when its gateway dies (<see cref="GatewayLossVerifier"/>), and run once more through a live gateway
/// while its silo was lost and sending it again cannot run it twice (<see cref="SiloLossRetry"/>). Every attempt of
/// one call carries the same call id: the gateway records it by that id, and a session answers a repeat from its record.
/// </summary>
internal sealed class TrackedCalls
{
    private readonly CallLimits _limits;
    private readonly InFlightCalls _calls = new();
    private readonly CallLimitSweep _limitSweep;
    private readonly GatewayLossVerifier _verifier;

    public TrackedCalls(Func<IRouterGrain> router, CallLimits limits)
    {
        _limits = limits;
        _limitSweep = new CallLimitSweep(_calls);
        _verifier = new GatewayLossVerifier(router, _calls);
    }

    /// <summary>Calls in flight (for tests and diagnostics).</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Runs an execute call: sent again if Orleans rejected it, bounded by its limit, failed at once if its gateway
    /// dies, and sent again with the same call id within its deadline when its silo was lost and a repeat cannot run it
    /// twice (<paramref name="repeatsAnswered"/>: a session call, which the session answers from its record).
    /// </summary>
    public Task<ExecuteResponse> ExecuteAsync(Func<Guid, TimeSpan?, CancellationToken, ValueTask<ExecuteResponse>> call, RetryTerms? options, bool repeatsAnswered,
        CancellationToken cancellationToken)
    {
        var callId = Guid.NewGuid();
        return SiloLossRetry.RunAsync(
            timeout => ClusterCalls.Guard(() => RunAsync(callId, (id, token) => call(id, timeout, token), timeout, cancellationToken)),
            options, repeatsAnswered, _limits.DefaultCallLimit, cancellationToken);
    }

    /// <summary>A gateway connection closed: checks every call that was in flight then.</summary>
    public void OnGatewayLost() => _verifier.OnGatewayLost();

    /// <summary>Waits for the checks started by lost gateways.</summary>
    public Task WhenVerifiedAsync() => _verifier.WhenVerifiedAsync();

    private async ValueTask<T> RunAsync<T>(Guid callId, Func<Guid, CancellationToken, ValueTask<T>> call, TimeSpan? requestTimeout, CancellationToken cancellationToken)
    {
        using var tracked = new TrackedCall(callId, _limits.For(requestTimeout), cancellationToken);
        _calls.Add(tracked);
        _limitSweep.EnsureRunning();
        try
        {
            return await call(tracked.Id, tracked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The call was sent and its answer never came: it may have run.
            throw new Errors.SiloLostException(tracked.LostReason ?? "the call was abandoned", CallOutcome.OutcomeUnknown);
        }
        finally
        {
            _calls.Remove(tracked);
        }
    }
}
