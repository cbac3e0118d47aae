namespace DSPex.Orleans.Contracts;

/// <summary>Options a session is created with; null members take the cluster defaults.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionOptions(
    [property: Id(0)] TimeSpan? Ttl = null,
    [property: Id(1)] AffinityMode? Affinity = null,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Metadata = null);
