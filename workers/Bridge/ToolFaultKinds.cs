namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The tool error kinds the worker core itself gives (the connection, and the pool's end of a request) (protocol.json "tool_error_kinds"); the same strings as the
/// contract's ToolErrorKinds (checked by a unit test), which the grains' tools use.
/// </summary>
internal static class ToolFaultKinds
{
    /// <summary>The tool threw.</summary>
    public const string ToolFailed = "ToolFailed";

    /// <summary>No tool of that name is offered to the call.</summary>
    public const string UnknownTool = "UnknownTool";

    /// <summary>The tool call's arguments are not valid.</summary>
    public const string InvalidArguments = "InvalidArguments";

    /// <summary>The request ended (cancelled, or its worker gone) before the tool answered.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>The request passed its deadline before the tool answered.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>The tool's result cannot be carried as JSON.</summary>
    public const string ResultNotSerializable = "ResultNotSerializable";

    /// <summary>The tool's result does not fit a frame.</summary>
    public const string FrameTooLarge = "FrameTooLarge";

    /// <summary>The request made more tool calls than it may.</summary>
    public const string TooManyToolCalls = "TooManyToolCalls";
}
