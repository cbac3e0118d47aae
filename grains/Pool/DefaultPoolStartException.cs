namespace DSPex.Orleans.Pool;

/// <summary>
/// Thrown by the host's start (<c>IHost.StartAsync</c>) when the silo's default pool (DSPex:Pool) has no worker after
/// its warm-up: its interpreter could not be started, or every worker failed its first start (an adapter module that
/// does not import, a bridge of another protocol version). A silo whose default pool cannot serve does not start, the
/// same rule as the <c>dspex-silo</c> host (exit 2); a named pool that fails still fails alone.
/// </summary>
public sealed class DefaultPoolStartException : Exception
{
    /// <summary>Creates the exception with the pool's own reason.</summary>
    public DefaultPoolStartException(string reason)
        : base($"DSPex:Pool: the default pool could not start, so the silo does not start: {reason}")
    {
        Reason = reason;
    }

    /// <summary>Why the default pool has no worker, as its stats report it (PoolStats.StartFailure).</summary>
    public string Reason { get; }
}
