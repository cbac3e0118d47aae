using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>What came back for one request: raw result JSON, or an error.</summary>
public readonly record struct BridgeReply(string? ResultJson, ExecuteError? Error)
{
    public static BridgeReply Fail(DSPexErrorKind kind, string message) => new(null, new ExecuteError(kind, message));
}
