using System.Threading.Channels;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>
/// A call to send to Python: a command with its JSON arguments, in a session's context or of one of its programs
/// when given. A stream call also names where its generator items go and how many Python may send before more
/// credit is granted (<see cref="BridgeConnection.GrantCredit"/>). <see cref="Tools"/> answers the tool calls Python
/// makes while the call runs (none when null: every tool call is then UnknownTool).
/// </summary>
internal readonly record struct BridgeCall(
    string Command,
    string ArgsJson,
    SessionCallContext? Session = null,
    ProgramCall? Program = null,
    int? StreamWindow = null,
    ChannelWriter<string>? StreamItems = null,
    Tools.ToolSession? Tools = null)
{
    public static BridgeCall Stream(string command, string argsJson, SessionCallContext? session, ProgramCall? program, int window, ChannelWriter<string> items, Tools.ToolSession? tools = null) =>
        new(command, argsJson, session, program, window, items, tools);
}
