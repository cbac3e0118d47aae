namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// What a tool call Python made gave, as the bridge protocol carries it back: the result's JSON and binary parts, or
/// why it failed. The core's own form of the contract's ToolOutcome (the grains' tool session maps one to the other).
/// </summary>
internal sealed record ToolAnswer(string? ResultJson, ToolFault? Error)
{
    /// <summary>The result's binary parts (chunk frames after the tool_result), if any.</summary>
    public ReadOnlyMemory<byte>[]? ResultParts { get; init; }

    /// <summary>A tool's result, as JSON, with its binary parts.</summary>
    public static ToolAnswer Success(string resultJson, ReadOnlyMemory<byte>[]? parts) => new(resultJson, null) { ResultParts = parts is { Length: > 0 } ? parts : null };

    /// <summary>A tool's result, as JSON.</summary>
    public static ToolAnswer Success(string resultJson) => new(resultJson, null);

    /// <summary>A failed tool call: a <see cref="ToolFaultKinds"/> name, the exception type and a message.</summary>
    public static ToolAnswer Fail(string kind, string type, string message) => new(null, new ToolFault(kind, type, message));
}

/// <summary>Why a tool call failed: a <see cref="ToolFaultKinds"/> name, the .NET exception type and a message (Python's dspex.ToolError).</summary>
internal sealed record ToolFault(string Kind, string Type, string Message);
