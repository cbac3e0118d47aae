using System.Diagnostics.CodeAnalysis;

namespace DSPex.Orleans.Tools;

/// <summary>A call of a tool by name with its JSON arguments (an object), as Python made it.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Tools.ToolCall")]
public sealed record ToolCall(
    [property: Id(0)] string Name,
    [property: Id(1)] string ArgsJson)
{
    /// <summary>The binary parts the args refer to ({"$bytes": i}), raw as Python sent them; null when there are none.</summary>
    // Outside the constructor, a new id: the shipped constructor and the wire of the old fields are unchanged.
    [Id(2)]
    public ReadOnlyMemory<byte>[]? ArgParts { get; init; }
}

/// <summary>What a tool call gave: the result's JSON, or why it failed.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Tools.ToolOutcome")]
public sealed record ToolOutcome(
    [property: Id(0)] string? ResultJson,
    [property: Id(1)] ToolFailure? Error)
{
    /// <summary>The binary parts the result refers to ({"$bytes": i}); null when there are none.</summary>
    [Id(2)]
    public ReadOnlyMemory<byte>[]? ResultParts { get; init; }

    /// <summary>A tool's result as JSON with the binary parts it refers to.</summary>
    public static ToolOutcome Success(string resultJson, ReadOnlyMemory<byte>[]? parts) => new(resultJson, null) { ResultParts = parts is { Length: > 0 } ? parts : null };

    /// <summary>A tool's result, as JSON.</summary>
    public static ToolOutcome Success(string resultJson) => new(resultJson, null);

    /// <summary>A failed tool call: a <see cref="ToolErrorKinds"/> name, the exception type and a message.</summary>
    public static ToolOutcome Fail(string kind, string type, string message) => new(null, new ToolFailure(kind, type, message));
}

/// <summary>Why a tool call failed: a <see cref="ToolErrorKinds"/> name, the .NET exception type, and a message. Python sees it as dspex.ToolError.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Tools.ToolFailure")]
public sealed record ToolFailure(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Type,
    [property: Id(2)] string Message);

/// <summary>A tool as an agent describes it to a model: name, description and the JSON Schema of its arguments.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Tools.ToolDescription")]
public sealed record ToolDescription(
    [property: Id(0)] string Name,
    [property: Id(1)] string Description,
    [property: Id(2)] string SchemaJson);

/// <summary>
/// The tools a client offers the Python code its requests run: the client registers this observer and names it in
/// its requests (<see cref="Contracts.ExecuteRequest.Tools"/>); only the silo serving that request calls it.
/// </summary>
/// <remarks>
/// Both methods interleave: a client runs an observer's calls one at a time unless they do, so a tool that takes
/// longer than the silo's probe timeout made the probe behind it go unanswered (the call failed ToolUnavailable with
/// the client alive), and parallel tool calls of one request ran one after the other.
/// </remarks>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Tools.IDSPexToolHost")]
public interface IDSPexToolHost : IGrainObserver
{
    /// <summary>Runs a tool; the token fires when the request's deadline passes or it is cancelled. Calls run concurrently.</summary>
    [Alias("D7CB1B29")]
    [global::Orleans.Concurrency.AlwaysInterleave]
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification =
        "Shipped API (PublicAPI.Shipped.txt): renaming 'call' would break callers that name the argument. 'Call' is a keyword " +
        "in Visual Basic only, where the parameter still works by position or as [call].")]
    Task<ToolOutcome> CallToolAsync(ToolCall call, CancellationToken cancellationToken);

    /// <summary>Answers at once, even while tool calls run: the silo probes a client whose tool call runs, so a client that died fails the call.</summary>
    [Alias("013F4C1D")]
    [global::Orleans.Concurrency.AlwaysInterleave]
    Task PingAsync();
}

/// <summary>The tools a request's client offers: its observer and the tools' descriptions (so listing costs no round trip).</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Tools.ClientTools")]
public sealed record ClientTools(
    [property: Id(0)] IDSPexToolHost Host,
    [property: Id(1)] ToolDescription[] Tools);

/// <summary>The kinds of <see cref="ToolFailure"/> (listed in the protocol's one definition, grains/Python/dspex/protocol.json).</summary>
public static class ToolErrorKinds
{
    /// <summary>The tool threw; Type and Message are its exception's.</summary>
    public const string ToolFailed = "ToolFailed";

    /// <summary>No tool of that name is available to the request; the message lists those that are.</summary>
    public const string UnknownTool = "UnknownTool";

    /// <summary>The arguments do not match the tool's schema (or are not a JSON object).</summary>
    public const string InvalidArguments = "InvalidArguments";

    /// <summary>The caller's credential does not grant the scope tool:&lt;name&gt;.</summary>
    public const string Forbidden = "Forbidden";

    /// <summary>The request was cancelled (or ended) while the tool ran.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>The request's deadline passed while the tool ran.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>The client offering the tool is gone or stopped answering.</summary>
    public const string ToolUnavailable = "ToolUnavailable";

    /// <summary>The tool's result cannot be carried as JSON within the protocol's depth.</summary>
    public const string ResultNotSerializable = "ResultNotSerializable";

    /// <summary>The result (or the call) does not fit the frame limit.</summary>
    public const string FrameTooLarge = "FrameTooLarge";

    /// <summary>A worker has too many tool calls in flight at once.</summary>
    public const string TooManyToolCalls = "TooManyToolCalls";
}
