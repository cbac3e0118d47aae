namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// The exit code the silo process ends with: 0 for a clean stop, unless something decided the stop was a failure
/// (the first such reason wins), so a pod or service manager can tell a restart is needed.
/// </summary>
public sealed class SiloExit
{
    /// <summary>The silo left its cluster's membership for good and stopped to rejoin as a new member.</summary>
    public const int MembershipLost = 3;

    /// <summary>SIGTERM came while the silo was starting, and the start did not finish within the drain time.</summary>
    public const int StartAbandoned = 4;

    private int _code;

    public int Code => Volatile.Read(ref _code);

    public string? Reason { get; private set; }

    public void Fail(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _code, code, 0) == 0)
        {
            Reason = reason;
        }
    }
}
