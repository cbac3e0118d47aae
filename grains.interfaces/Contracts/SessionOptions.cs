namespace DSPex.Orleans.Contracts;

/// <summary>
/// Options a session is created with; null members take the cluster defaults. <see cref="Pool"/> names the pool
/// the session's calls and programs run in (the pool named "default" when null); it is fixed when the session is
/// created.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.SessionOptions")]
public sealed record SessionOptions(
    [property: Id(0)] TimeSpan? Ttl = null,
    [property: Id(1)] AffinityMode? Affinity = null,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Metadata = null,
    [property: Id(3)] string? Pool = null);
