namespace DSPex.Orleans.Contracts;

/// <summary>One item of a streaming command (raw JSON), or the error that ended the stream.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.StreamItem")]
public sealed record StreamItem(
    [property: Id(0)] string? ItemJson,
    [property: Id(1)] ExecuteError? Error)
{
    /// <summary>
    /// Binary parts the item refers to (bytes and arrays the generator yielded, e.g. a download's chunks:
    /// docs/data.md); null for none. A new field outside the constructor, so a silo of the previous release reads
    /// this record as before (it skips the field) and this one reads the previous release's items with no parts.
    /// </summary>
    [Id(2)]
    public ReadOnlyMemory<byte>[]? ItemParts { get; init; }
}
