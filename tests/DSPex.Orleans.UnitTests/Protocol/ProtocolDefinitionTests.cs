using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The silo against the protocol's one definition, grains/Python/dspex/protocol.json (the file the Python bridge loads
/// its constants from; tests/python_unit/test_protocol.py checks the bridge against it): the frame types the silo
/// reads and writes, the error kinds it takes from a bridge, the limits and the built-in commands are exactly the ones
/// the file lists, so neither side can drift. The fields of each frame: <see cref="FrameFieldDefinitionTests"/>.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProtocolDefinitionTests
{
    private static JsonElement Definition => ProtocolDefinitionFile.Root;

    private static Dictionary<string, string> FramesFromBridge() =>
        ProtocolDefinitionFile.Frames("frames_from_bridge").ToDictionary(p => p.Key, p => p.Value.GetProperty("silo_record").GetString()!);

    private static string[] ErrorKinds() => [.. Definition.GetProperty("error_kinds").EnumerateArray().Select(k => k.GetString()!)];

    /// <summary>The concrete frame records the parser can yield, except the one for a type it does not know.</summary>
    private static IEnumerable<Type> FrameRecords() =>
        typeof(BridgeFrame).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(BridgeFrame)) && !t.IsAbstract && t != typeof(UnknownFrame));

    [Fact]
    public void Every_frame_type_a_bridge_sends_has_its_record_and_every_record_is_a_type_the_file_lists()
    {
        Assert.Equal(FramesFromBridge().Values.Order(), FrameRecords().Select(t => t.Name).Order());
        Assert.Equal(FramesFromBridge().Count, FramesFromBridge().Values.Distinct().Count());
        // The records' discriminators are the enum's members, one each.
        var types = FrameRecords().Select(t => ((BridgeFrame)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(t)).Type).ToList();
        Assert.Equal(Enum.GetValues<BridgeFrameType>().Where(t => t != BridgeFrameType.Unknown).Order(), types.Order());
    }

    [Fact]
    public void A_frame_type_the_file_does_not_list_is_read_as_unknown_and_skipped()
    {
        Assert.IsType<UnknownFrame>(BridgeFrame.Parse("""{"id":1,"type":"not_in_the_file","result":1}"""u8));
        Assert.IsType<UnknownFrame>(BridgeFrame.Parse("""{"id":1}"""u8));
    }

    [Fact]
    public void The_error_kinds_a_bridge_may_send_are_exactly_the_files()
    {
        var kinds = ErrorKinds();
        Assert.NotEmpty(kinds);
        foreach (var kind in kinds)
        {
            Assert.True(Enum.TryParse<DSPexErrorKind>(kind, ignoreCase: false, out var contract) && Enum.GetName(contract) == kind,
                $"the file's error kind {kind} is not a DSPexErrorKind");
            Assert.True(Enum.TryParse<CallErrorKind>(kind, ignoreCase: false, out var parsed) && Enum.GetName(parsed) == kind,
                $"the file's error kind {kind} is not a CallErrorKind (the worker core's)");
            Assert.Equal(parsed, BridgeErrorKinds.Parse(kind));
        }

        // Every other kind is the silo's own: a bridge naming one is read as a plain Python exception.
        foreach (var other in Enum.GetNames<DSPexErrorKind>().Union(Enum.GetNames<CallErrorKind>()).Except(kinds))
        {
            Assert.True(BridgeErrorKinds.Parse(other) == CallErrorKind.PythonException, $"the silo takes {other} from a bridge, but the file does not list it");
        }
    }

    [Fact]
    public void The_tool_error_kinds_are_exactly_the_files()
    {
        var listed = Definition.GetProperty("tool_error_kinds").EnumerateArray().Select(k => k.GetString()!).Order();
        var silo = typeof(DSPex.Orleans.Tools.ToolErrorKinds).GetFields().Select(f => (string)f.GetValue(null)!).Order();
        Assert.Equal(listed, silo);
    }

    /// <summary>The request bounds Python's local runs (python -m dspex run, dspex.testing) apply are the silo's own.</summary>
    [Fact]
    public void The_request_limits_are_the_ones_the_silo_and_client_enforce()
    {
        Assert.Equal(RequestLimits.MaxCommandLength, ProtocolDefinitionFile.Limit("request_limits", "max_command_length"));
        Assert.Equal(RequestLimits.MaxJsonDepth, ProtocolDefinitionFile.Limit("request_limits", "max_json_depth"));
        Assert.Equal(ProtocolLimits.MaxValueDepth, ProtocolDefinitionFile.Limit("request_limits", "max_json_depth"));
        Assert.Equal(RequestLimits.DefaultMaxRequestBytes, ProtocolDefinitionFile.Limit("request_limits", "default_max_frame_bytes"));
        Assert.Equal(new DSPex.Orleans.Configuration.DSPexPoolOptions().MaxFrameBytes, ProtocolDefinitionFile.Limit("request_limits", "default_max_frame_bytes"));
    }

    [Fact]
    public void The_frame_limits_are_the_ones_the_silo_reads_by()
    {
        var limits = Definition.GetProperty("limits").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["envelope_allowance_bytes", "max_integer_digits", "max_version_chars"], limits);
        Assert.Equal(ProtocolLimits.MaxIntegerDigits, ProtocolDefinitionFile.Limit("limits", "max_integer_digits"));
        Assert.Equal(BridgeProtocolVersion.MaxLength, ProtocolDefinitionFile.Limit("limits", "max_version_chars"));
        Assert.Equal(ProtocolLimits.EnvelopeAllowanceBytes, ProtocolDefinitionFile.Limit("limits", "envelope_allowance_bytes"));
    }

    /// <summary>Routing leaves the bridge's own commands out of a pool's offer, so they must be the ones the bridge registers.</summary>
    [Fact]
    public void The_builtin_commands_are_the_ones_routing_leaves_out()
    {
        var listed = Definition.GetProperty("builtin_commands").EnumerateArray().Select(c => c.GetString()!).Order();
        Assert.Equal(listed, BridgeBuiltins.Commands.Order());
    }
}
