namespace DSPex.Orleans.Client;

/// <summary>Per-call options.</summary>
public sealed record ExecuteOptions
{
    /// <summary>Deadline once the request reaches a worker; the pool default when null.</summary>
    public TimeSpan? Timeout { get; init; }
}
