namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// What came back for one request: raw result JSON (the session variables it changed, the binary parts it refers to),
/// or an error in the worker core's terms (the pool maps it to the contract's: Pool.CallErrorMapping).
/// </summary>
internal readonly record struct BridgeReply(string? ResultJson, CallError? Error, string? SessionUpdatesJson = null, bool Delivered = true, ReadOnlyMemory<byte>[]? ResultParts = null)
{
    public static BridgeReply Fail(CallErrorKind kind, string message) => new(null, new CallError(kind, message));
}
