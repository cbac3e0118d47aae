namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// What a worker's connection needs of the tools of one request (the grains' tool session implements it, mapping the contract's ToolOutcome to a <see cref="ToolAnswer"/>): the bridge
/// layer calls tools through this and does not depend on the broker, which sits above it (no namespace cycle).
/// </summary>
internal interface IBridgeTools
{
    /// <summary>Most tool calls one worker may have in flight.</summary>
    int MaxToolCalls { get; }

    /// <summary>Ends the request's tool calls: they answer with <paramref name="kind"/> (a <see cref="ToolFaultKinds"/> name).</summary>
    void End(string kind);

    /// <summary>The list_tools answer's JSON.</summary>
    string ListJson();

    /// <summary>Runs one tool call (its args' binary parts beside them, null when none); never throws.</summary>
    Task<ToolAnswer> CallAsync(string name, string argsJson, ReadOnlyMemory<byte>[]? argParts);
}
