namespace DSPex.Orleans.Contracts;

/// <summary>
/// One stateless call. ArgsJson is UTF-8 JSON text that the silo forwards without parsing into objects,
/// so the payload is never re-serialized on the hot path. An idempotent request is retried once on another
/// worker when its worker crashes under it. A client sets CallId so the gateway records the call while it runs
/// (see <see cref="CallTracking"/>). <see cref="Tools"/> names the calling client's tools (its observer); the silo
/// fills <see cref="ToolCaller"/> with the authenticated caller, replacing whatever a caller wrote.
/// <see cref="Pool"/> names the pool to run in; null routes by the command (the pool that registers it, see
/// docs/pools.md). <see cref="ArgParts"/> are binary parts the args refer to (<c>{"$bytes": i}</c>, <c>{"$array": i, ...}</c>:
/// docs/data.md), carried raw to Python after the JSON; they count toward the frame limit with the args.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.ExecuteRequest")]
public sealed record ExecuteRequest(
    [property: Id(0)] string Command,
    [property: Id(1)] string ArgsJson,
    [property: Id(2)] TimeSpan? Timeout = null,
    [property: Id(3)] SessionCallContext? Session = null,
    [property: Id(4)] ProgramCall? Program = null,
    [property: Id(5)] bool Idempotent = false,
    [property: Id(6)] Guid CallId = default,
    [property: Id(7)] Tools.ClientTools? Tools = null,
    [property: Id(8)] string? ToolCaller = null,
    [property: Id(9)] string? Pool = null)
{
    /// <summary>
    /// Binary parts the args refer to, carried raw (docs/data.md); null for none. Outside the constructor, so the
    /// record's shape stays as it shipped and a sender without the field is read as sending none.
    /// </summary>
    [Id(10)]
    public ReadOnlyMemory<byte>[]? ArgParts { get; init; }
}
