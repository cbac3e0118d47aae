using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// The client's execute calls: each is tracked while in flight, bounded by its own limit (<see cref="CallLimitSweep"/>),
/// failed at once when its gateway dies (<see cref="GatewayLossVerifier"/>), and run once more through a live gateway
/// when it is idempotent and its silo was lost (<see cref="IdempotentRetry"/>).
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
    /// dies. An idempotent call whose silo was lost runs once more, through a live gateway.
    /// </summary>
    public Task<ExecuteResponse> ExecuteAsync(Func<Guid, CancellationToken, ValueTask<ExecuteResponse>> call, ExecuteOptions? options, CancellationToken cancellationToken) =>
        IdempotentRetry.RunAsync(() => ClusterCalls.Guard(() => RunAsync(call, options?.Timeout, cancellationToken)), options, cancellationToken);

    /// <summary>A gateway connection closed: checks every call that was in flight then.</summary>
    public void OnGatewayLost() => _verifier.OnGatewayLost();

    /// <summary>Waits for the checks started by lost gateways.</summary>
    public Task WhenVerifiedAsync() => _verifier.WhenVerifiedAsync();

    private async ValueTask<T> RunAsync<T>(Func<Guid, CancellationToken, ValueTask<T>> call, TimeSpan? requestTimeout, CancellationToken cancellationToken)
    {
        using var tracked = new TrackedCall(cancellationToken, _limits.For(requestTimeout));
        _calls.Add(tracked);
        _limitSweep.EnsureRunning();
        try
        {
            return await call(tracked.Id, tracked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Errors.SiloUnavailableException(tracked.LostReason ?? "the call was abandoned");
        }
        finally
        {
            _calls.Remove(tracked);
        }
    }
}
