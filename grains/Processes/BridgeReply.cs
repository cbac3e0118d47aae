using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>What came back for one request: raw result JSON (the session variables it changed, the binary parts it refers to), or an error.</summary>
internal readonly record struct BridgeReply(string? ResultJson, ExecuteError? Error, string? SessionUpdatesJson = null, bool Delivered = true, ReadOnlyMemory<byte>[]? ResultParts = null)
{
    public static BridgeReply Fail(DSPexErrorKind kind, string message) => new(null, new ExecuteError(kind, message));
}
