using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Processes;

/// <summary>
/// What a worker's connection needs of the tools of one request (the silo's tool broker implements it): the bridge
/// layer calls tools through this and does not depend on the broker, which sits above it (no namespace cycle).
/// </summary>
internal interface IBridgeTools
{
    /// <summary>Most tool calls one worker may have in flight.</summary>
    int MaxToolCalls { get; }

    /// <summary>Ends the request's tool calls: they answer with <paramref name="kind"/> (a <see cref="ToolErrorKinds"/> name).</summary>
    void End(string kind);

    /// <summary>The list_tools answer's JSON.</summary>
    string ListJson();

    /// <summary>Runs one tool call (its args' binary parts beside them, null when none); never throws.</summary>
    Task<ToolOutcome> CallAsync(string name, string argsJson, ReadOnlyMemory<byte>[]? argParts);
}
