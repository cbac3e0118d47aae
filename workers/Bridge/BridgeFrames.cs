namespace DSPex.Orleans.Workers.Bridge;

// One record per frame type a bridge sends (grains/Python/dspex/protocol.json "frames_from_bridge": each type names its
// record as "silo_record"), each property read from the field its [WireField] names. BridgeFrame.Parse yields them.
// JSON values (a result, an item, a tool's args, session changes) are the exact text Python wrote, never a DOM.

/// <summary>The handshake: the bridge loaded its adapters and serves. No call is sent to a worker before it.</summary>
internal sealed record ReadyFrame(
    [property: WireField("pid")] int Pid,
    [property: WireField("pgid")] int ProcessGroupId,
    [property: WireField("protocol")] string? ProtocolVersion,
    [property: WireField("commands")] IReadOnlyList<string> Commands) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Ready;
}

/// <summary>A call's answer: its result, what the command changed in its session's variables, and the binary parts the result refers to (null: none).</summary>
internal sealed record ResultFrame(
    [property: WireField("id")] long Id,
    [property: WireField("result")] string ResultJson,
    [property: WireField("session")] string? SessionJson,
    [property: WireField("parts")] ReadOnlyMemory<byte>[]? Parts = null) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Result;
}

/// <summary>A call failed; also what a result too deep for the protocol becomes.</summary>
internal sealed record ErrorFrame(
    [property: WireField("id")] long Id,
    [property: WireField("error")] CallError Error) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Error;
}

/// <summary>One item of a streaming call, sent only against credit, before the call's result, and the binary parts it refers to (null: none).</summary>
internal sealed record ItemFrame(
    [property: WireField("id")] long Id,
    [property: WireField("item")] string ItemJson,
    [property: WireField("parts")] ReadOnlyMemory<byte>[]? Parts = null) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Item;
}

/// <summary>The command of upload call <see cref="Id"/> read <see cref="Granted"/> chunks: the silo may send that many more.</summary>
internal sealed record ChunkCreditFrame(
    [property: WireField("id")] long Id,
    [property: WireField("n")] int Granted) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.ChunkCredit;
}

/// <summary>The answer to the silo's heartbeat of the same id.</summary>
internal sealed record HeartbeatFrame([property: WireField("id")] long Id) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Heartbeat;
}

/// <summary>The bridge could not start (an adapter failed to import) and exits next.</summary>
internal sealed record FatalFrame([property: WireField("message")] string? Message) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Fatal;
}

/// <summary>The bridge could not read or handle a frame the silo sent, and had no call to answer by.</summary>
internal sealed record ProtocolErrorFrame([property: WireField("message")] string? Message) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.ProtocolError;
}

/// <summary>A command of call <see cref="Id"/> calls a tool (dspex.call_tool).</summary>
internal sealed record ToolCallFrame(
    [property: WireField("id")] long Id,
    [property: WireField("tool_id")] long ToolId,
    [property: WireField("tool")] string ToolName,
    [property: WireField("args")] string ArgsJson,
    [property: WireField("parts")] ReadOnlyMemory<byte>[]? Parts = null) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.ToolCall;

    /// <summary>
    /// Why the args cannot be passed on though the frame is exactly the protocol (nested past the depth limit): an
    /// error for this tool call (InvalidArguments), not a broken stream. Null when they can.
    /// </summary>
    [DerivedFromWire("args")]
    public string? ArgsProblem { get; init; }
}

/// <summary>A command of call <see cref="Id"/> asks which tools it may call; the answer is a tool_result holding the list.</summary>
internal sealed record ListToolsFrame(
    [property: WireField("id")] long Id,
    [property: WireField("tool_id")] long ToolId) : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.ListTools;
}

/// <summary>A frame of a type this silo does not know (a newer bridge's optional frame): skipped.</summary>
internal sealed record UnknownFrame : BridgeFrame
{
    public override BridgeFrameType Type => BridgeFrameType.Unknown;
}
