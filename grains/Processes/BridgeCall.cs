using System.Threading.Channels;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>
/// A call to send to Python: a command with its JSON arguments, in a session's context or of one of its programs
/// when given. A stream call also names where its generator items go and how many Python may send before more
/// credit is granted (<see cref="BridgeConnection.GrantCredit"/>).
/// </summary>
internal readonly record struct BridgeCall(
    string Command,
    string ArgsJson,
    SessionCallContext? Session = null,
    ProgramCall? Program = null,
    int? StreamWindow = null,
    ChannelWriter<string>? StreamItems = null)
{
    public static BridgeCall Stream(string command, string argsJson, SessionCallContext? session, ProgramCall? program, int window, ChannelWriter<string> items) =>
        new(command, argsJson, session, program, window, items);
}
