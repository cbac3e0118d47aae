namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// How long a test waits for a process or cluster event before it gives up. These are hang guards for a broken
/// build on a loaded 2-core CI machine, not timing assertions: no await on a process or cluster event is unbounded.
/// </summary>
public static class TestBounds
{
    /// <summary>A silo, cluster or redis-server starting (a real silo also warms its Python pool).</summary>
    public static readonly TimeSpan Start = TimeSpan.FromMinutes(3);

    /// <summary>A process exiting after it was told to (SIGTERM, SIGKILL) or a cluster stopping.</summary>
    public static readonly TimeSpan Exit = TimeSpan.FromMinutes(2);
}
