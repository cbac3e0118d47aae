using System.Collections.Concurrent;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// The client's execute calls in flight. Each is bounded by its own deadline, and when a gateway connection
/// drops the live silos are asked which of them they still hold: Orleans itself would leave a call whose gateway
/// died waiting for its response timeout (see <see cref="CallTracking"/>).
/// </summary>
internal sealed class TrackedCalls(Func<IRouterGrain> router, CallLimits limits)
{
    /// <summary>
    /// A call must be unreported by every live silo twice, this far apart, before it is failed: a request still on
    /// its way over a live connection, or a reply on its way back, is seen or delivered in between.
    /// </summary>
    private static readonly TimeSpan ConfirmInterval = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, TrackedCall> _calls = new();
    private readonly Lock _verifierLock = new();
    private Task _verifier = Task.CompletedTask;

    /// <summary>Calls in flight (for tests and diagnostics).</summary>
    public int Count => _calls.Count;

    public async ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, TimeSpan? requestTimeout, CancellationToken cancellationToken)
    {
        var limit = limits.For(requestTimeout);
        using var tracked = new TrackedCall(cancellationToken, limit);
        _calls[tracked.Id] = tracked;
        try
        {
            // Exported into the request when the call is sent; the change stays inside this method.
            RequestContext.Set(CallTracking.RequestContextKey, tracked.Id);
            return await call(tracked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Errors.SiloUnavailableException(tracked.LostReason
                ?? $"no answer from the cluster within {limit.TotalSeconds:0} s (the call's deadline plus queueing); the silo serving it may be gone");
        }
        finally
        {
            _calls.TryRemove(tracked.Id, out _);
        }
    }

    /// <summary>A gateway connection closed: checks every call that was in flight then.</summary>
    public void OnGatewayLost()
    {
        var suspects = _calls.Values.ToList();
        if (suspects.Count == 0)
        {
            return;
        }

        lock (_verifierLock)
        {
            var previous = _verifier;
            _verifier = Task.Run(async () =>
            {
                await previous;
                await VerifyAsync(suspects);
            });
        }
    }

    /// <summary>Waits for the checks started by lost gateways (tests).</summary>
    public Task WhenVerifiedAsync()
    {
        lock (_verifierLock)
        {
            return _verifier;
        }
    }

    private async Task VerifyAsync(List<TrackedCall> suspects)
    {
        var strikes = new Dictionary<Guid, int>();
        while (true)
        {
            suspects.RemoveAll(c => !_calls.ContainsKey(c.Id));
            if (suspects.Count == 0)
            {
                return;
            }

            CallState[] states;
            try
            {
                states = await router().GetCallStatesAsync([.. suspects.Select(c => c.Id)]).WaitAsync(ProbeTimeout);
            }
            catch (Exception)
            {
                // No silo answers now; the calls' own deadlines still apply. Ask again.
                await Task.Delay(ConfirmInterval);
                continue;
            }

            for (var i = 0; i < suspects.Count; i++)
            {
                var call = suspects[i];
                if (states[i] == CallState.Running)
                {
                    strikes.Remove(call.Id);
                    continue;
                }

                var count = strikes[call.Id] = strikes.GetValueOrDefault(call.Id) + 1;
                if (count >= 2 && _calls.ContainsKey(call.Id))
                {
                    call.Lose(states[i] == CallState.Completed
                        ? "the call finished, but the gateway silo carrying its reply was lost"
                        : "the gateway silo carrying the call was lost (no live silo holds it)");
                }
            }

            await Task.Delay(ConfirmInterval);
        }
    }

    private sealed class TrackedCall : IDisposable
    {
        private readonly CancellationTokenSource _cancellation;

        public TrackedCall(CancellationToken callerToken, TimeSpan limit)
        {
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            _cancellation.CancelAfter(limit);
        }

        public Guid Id { get; } = Guid.NewGuid();

        public CancellationToken Token => _cancellation.Token;

        public string? LostReason { get; private set; }

        public void Lose(string reason)
        {
            LostReason = reason;
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _cancellation.Dispose();
    }
}
