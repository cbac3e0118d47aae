using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>
/// The grains boundary for tool answers: a tool's contract <see cref="ToolOutcome"/> (serialized from the client that
/// ran it) becomes the worker core's <see cref="ToolAnswer"/>, which the bridge connection writes to Python. Here in
/// the tools, not the pool: the tool session maps it, and Tools referring to Pool would close a namespace cycle.
/// The kind strings pass unchanged (ToolFaultKinds and ToolErrorKinds are the same strings; a unit test checks).
/// </summary>
internal static class ToolAnswerMapping
{
    /// <summary>The core's answer for a tool's outcome: its JSON and parts, or its failure's kind, type and message.</summary>
    public static ToolAnswer ToAnswer(this ToolOutcome outcome) => outcome.Error is { } e
        ? ToolAnswer.Fail(e.Kind, e.Type, e.Message)
        : ToolAnswer.Success(outcome.ResultJson ?? "null", outcome.ResultParts);
}
