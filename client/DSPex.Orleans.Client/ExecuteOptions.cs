namespace DSPex.Orleans.Client;

/// <summary>Per-call options.</summary>
public sealed record ExecuteOptions
{
    /// <summary>Deadline once the request reaches a worker; the pool default when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Safe to run twice: retried once on another worker if its worker crashes under it.</summary>
    public bool Idempotent { get; init; }

    /// <summary>
    /// The pool to run in. Null routes by the command: to the pool whose adapters register it (the default pool for
    /// built-in commands); a command two pools register needs its pool named here.
    /// </summary>
    public string? Pool { get; init; }

    /// <summary>The terms the calls machinery retries a lost call by.</summary>
    internal static Calls.RetryTerms? RetryTermsOf(ExecuteOptions? options) =>
        options is null ? null : new Calls.RetryTerms { Timeout = options.Timeout, Idempotent = options.Idempotent };
}
