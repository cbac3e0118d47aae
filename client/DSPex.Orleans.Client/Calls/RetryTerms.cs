namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// What of a caller's <see cref="ExecuteOptions"/> decides whether a lost call is sent again. Its own record, so the
/// calls machinery does not depend on the client's public option types (no namespace cycle with DSPex.Orleans.Client).
/// </summary>
internal sealed record RetryTerms
{
    /// <summary>The caller's timeout: it bounds all attempts; none means the default deadline and no per-attempt timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The caller said the call may run twice: a call that may have run is sent again.</summary>
    public bool Idempotent { get; init; }
}
