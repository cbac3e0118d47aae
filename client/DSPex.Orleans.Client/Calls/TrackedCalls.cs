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
    /// its way over a live connection is seen, or a reply on its way back delivered, in between.
    /// </summary>
    private static readonly TimeSpan ConfirmInterval = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often call limits are checked: one sweep for all calls rather than a timer per call.</summary>
    private static readonly TimeSpan LimitSweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, TrackedCall> _calls = new();
    private readonly Lock _verifierLock = new();
    private Task _verifier = Task.CompletedTask;
    private int _sweeping;

    /// <summary>Calls in flight (for tests and diagnostics).</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Runs an execute call: sent again if Orleans rejected it, bounded by its limit, failed at once if its gateway
    /// dies. An idempotent call whose silo was lost runs once more, through a live gateway.
    /// </summary>
    public async Task<ExecuteResponse> ExecuteAsync(Func<Guid, CancellationToken, ValueTask<ExecuteResponse>> call, ExecuteOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await ClusterCalls.Guard(() => RunAsync(call, options?.Timeout, cancellationToken));
        }
        catch (Errors.SiloUnavailableException) when (options is { Idempotent: true } && !cancellationToken.IsCancellationRequested)
        {
            return await ClusterCalls.Guard(() => RunAsync(call, options.Timeout, cancellationToken));
        }
    }

    private async ValueTask<T> RunAsync<T>(Func<Guid, CancellationToken, ValueTask<T>> call, TimeSpan? requestTimeout, CancellationToken cancellationToken)
    {
        var limit = limits.For(requestTimeout);
        using var tracked = new TrackedCall(cancellationToken, limit);
        _calls[tracked.Id] = tracked;
        EnsureLimitSweep();
        try
        {
            return await call(tracked.Id, tracked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Errors.SiloUnavailableException(tracked.LostReason ?? "the call was abandoned");
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

    /// <summary>Waits for the checks started by lost gateways.</summary>
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

            CallStatesReport report;
            try
            {
                report = await ClusterCalls.Guard(() => router().GetCallStatesAsync([.. suspects.Select(c => c.Id)]).WaitAsync(ProbeTimeout));
            }
            catch (Exception)
            {
                // No silo answers now; the calls' own limits still apply. Ask again.
                await Task.Delay(ConfirmInterval);
                continue;
            }

            for (var i = 0; i < suspects.Count; i++)
            {
                var call = suspects[i];
                var state = report.States[i];
                if (state == CallState.Running || (state == CallState.Unknown && !report.Conclusive))
                {
                    strikes.Remove(call.Id);
                    continue;
                }

                var count = strikes[call.Id] = strikes.GetValueOrDefault(call.Id) + 1;
                if (count >= 2 && _calls.ContainsKey(call.Id))
                {
                    // Not running anywhere, and still no reply after the confirm interval: its gateway is gone.
                    call.Lose("the gateway silo carrying the call was lost (no live silo holds it)");
                }
            }

            await Task.Delay(ConfirmInterval);
        }
    }

    private void EnsureLimitSweep()
    {
        if (Volatile.Read(ref _sweeping) == 0 && Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
        {
            _ = SweepLimitsAsync();
        }
    }

    /// <summary>Runs while calls are in flight, failing those past their limit; stops when none are left.</summary>
    private async Task SweepLimitsAsync()
    {
        while (true)
        {
            await Task.Delay(LimitSweepInterval);
            var now = Environment.TickCount64;
            foreach (var call in _calls.Values)
            {
                if (now >= call.LimitAt)
                {
                    call.Lose($"no answer from the cluster within {call.Limit.TotalSeconds:0} s (the call's deadline plus queueing); the silo serving it may be gone");
                }
            }

            if (_calls.IsEmpty)
            {
                Volatile.Write(ref _sweeping, 0);
                // A call registered just before the flag was cleared saw it set and did not start a sweep.
                if (_calls.IsEmpty || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
                {
                    return;
                }
            }
        }
    }

    private sealed class TrackedCall : IDisposable
    {
        private readonly CancellationTokenSource _cancellation;

        public TrackedCall(CancellationToken callerToken, TimeSpan limit)
        {
            _cancellation = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
            Limit = limit;
            LimitAt = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        }

        public Guid Id { get; } = Guid.NewGuid();

        public TimeSpan Limit { get; }

        public long LimitAt { get; }

        public CancellationToken Token => _cancellation.Token;

        public string? LostReason { get; private set; }

        public void Lose(string reason)
        {
            LostReason ??= reason;
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
