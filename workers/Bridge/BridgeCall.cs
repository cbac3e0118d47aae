using System.Threading.Channels;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// A call to send to Python: a command with its JSON arguments, in a session's context or of one of its programs
/// when given. A stream call also names where its generator items go and how many Python may send before more
/// credit is granted (<see cref="BridgeConnection.GrantCredit"/>). <paramref name="Trace"/> is the caller's trace
/// context (checked by the grains before it gets here), which Python reads with <c>dspex.trace_context()</c>. <see cref="Tools"/> answers the tool calls Python
/// makes while the call runs (none when null: every tool call is then UnknownTool). With a <see cref="Deadline"/>, the
/// call's task answers <see cref="PendingCall.DeadlinePassed"/> once it passes without a reply (see <see cref="PendingCall"/>).
/// <see cref="Parts"/> are the binary parts the args refer to, written raw after the envelope (protocol.json "binary_parts").
/// An upload call names its chunk window (<see cref="UploadWindow"/>; chunks go through <see cref="BridgeConnection.SendChunk"/>).
/// </summary>
internal readonly record struct BridgeCall(
    string Command,
    string ArgsJson,
    CallSession? Session = null,
    CallProgram? Program = null,
    int? StreamWindow = null,
    ChannelWriter<ItemFrame>? StreamItems = null,
    CallTrace? Trace = null,
    IBridgeTools? Tools = null,
    TimeSpan? Deadline = null,
    ReadOnlyMemory<byte>[]? Parts = null,
    int? UploadWindow = null)
{
    public static BridgeCall Stream(string command, string argsJson, CallSession? session, CallProgram? program, int window, ChannelWriter<ItemFrame> items, CallTrace? trace = null, IBridgeTools? tools = null) =>
        new(command, argsJson, session, program, window, items, trace, tools);
}
