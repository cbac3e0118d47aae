using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Whether this silo can serve a call: a ping through its own path (an Orleans call to this silo's pool grain, its
/// default pool's queue, a worker and Python), with a deadline. A wedged scheduler, router, pool or worker
/// connection shows as no answer; a pool that refuses new work (saturated) as its error.
/// </summary>
internal sealed class GatewayProbe(ILocalSiloDetails localSilo, IGrainFactory grainFactory)
{
    private Task<string?>? _pending;
    private DateTimeOffset _pendingSince;

    /// <summary>Null when the ping answered in time; otherwise what went wrong. Never starts a second probe while one is still out.</summary>
    public async Task<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pending is { IsCompleted: false })
        {
            // The last ping is still out: a wedge does not get a pile of probes behind it. Every reason names "a ping
            // through this silo's pool grain", so a reader (and GatewayProbeTests) finds the probe whichever case it met.
            return $"a ping through this silo's pool grain, sent {(DateTimeOffset.UtcNow - _pendingSince).TotalSeconds:0} s ago, has not answered";
        }

        _pendingSince = DateTimeOffset.UtcNow;
        _pending = PingAsync(timeout);
        try
        {
            return await _pending.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return $"a ping through this silo's pool grain did not answer within {timeout.TotalSeconds:0.#} s";
        }
    }

    private async Task<string?> PingAsync(TimeSpan timeout)
    {
        // Cancelled a little after the deadline, so a wedged call gives its queue place back (when the pool can).
        using var cancel = new CancellationTokenSource(timeout * 2);
        try
        {
            var pool = grainFactory.GetGrain<IPoolGrain>(SiloKeys.ForSilo(localSilo.SiloAddress));
            var response = await pool.ExecuteAsync(new ExecuteRequest("ping", "{}", timeout, Idempotent: true), cancel.Token);
            return response.Error is { } error ? $"a ping through this silo's pool grain failed: {error.Kind}: {error.Message}" : null;
        }
        catch (Exception e)
        {
            return $"a ping through this silo's pool grain failed: {e.GetType().Name}: {e.Message}";
        }
    }
}
