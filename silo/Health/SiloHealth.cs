namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// What the HTTP endpoints answer from: the phase, and the health loop's last findings. Written by the silo runner
/// and the health loop, read by the health checks; a request never waits for a probe or any I/O.
/// </summary>
public sealed class SiloHealth
{
    private volatile Findings _findings = Findings.None;
    private volatile string? _unrecoverable;
    private int _phase = (int)SiloPhase.Starting;

    public SiloPhase Phase => (SiloPhase)Volatile.Read(ref _phase);

    /// <summary>The last membership and probe results (null problems while nothing was found wrong).</summary>
    public Findings Last => _findings;

    /// <summary>Why the silo cannot recover by itself (liveness fails), or null.</summary>
    public string? Unrecoverable => _unrecoverable;

    /// <summary>Moves the phase forward only: a draining silo never reports starting or serving again.</summary>
    public void Enter(SiloPhase phase)
    {
        var current = Volatile.Read(ref _phase);
        while ((int)phase > current)
        {
            var seen = Interlocked.CompareExchange(ref _phase, (int)phase, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    public void Report(Findings findings) => _findings = findings;

    public void GiveUp(string reason) => _unrecoverable ??= reason;

    /// <summary>One round of the health loop: what kept the silo from its cluster, and what kept its gateway from serving.</summary>
    public sealed record Findings(string? Membership, string? Gateway, DateTimeOffset At)
    {
        public static readonly Findings None = new(null, null, DateTimeOffset.MinValue);
    }
}
