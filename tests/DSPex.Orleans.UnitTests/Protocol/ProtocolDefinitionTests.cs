using System.Text;
using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The silo against the protocol's one definition, grains/Python/dspex/protocol.json (the file the Python bridge loads
/// its constants from; tests/python_unit/test_protocol.py checks the bridge against it): the frame types the silo
/// reads and the error kinds it takes from a bridge are exactly the ones the file lists, so neither side can drift.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProtocolDefinitionTests
{
    /// <summary>The file as the grains ship it: copied beside the bridge into every build and publish output.</summary>
    private static readonly string ProtocolFile = Path.Combine(AppContext.BaseDirectory, "Python", "dspex", "protocol.json");

    private static readonly JsonElement Definition = Load();

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ProtocolFile));
        return document.RootElement.Clone();
    }

    private static Dictionary<string, string> FramesFromBridge() =>
        Definition.GetProperty("frames_from_bridge").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static string[] ErrorKinds() => [.. Definition.GetProperty("error_kinds").EnumerateArray().Select(k => k.GetString()!)];

    [Fact]
    public void The_frame_types_the_silo_knows_are_the_ones_a_bridge_sends()
    {
        var known = Enum.GetNames<BridgeFrameType>().Where(n => n != nameof(BridgeFrameType.Unknown)).Order();
        Assert.Equal(known, FramesFromBridge().Values.Order());
    }

    [Fact]
    public void Each_frame_type_on_the_wire_is_read_as_its_member()
    {
        foreach (var (wire, member) in FramesFromBridge())
        {
            var envelope = $$"""{"id":1,"type":"{{wire}}","result":null,"error":{"kind":"Internal","type":"T","message":"m","traceback":null},"message":"m","pid":1,"pgid":1,"commands":[],"tool_id":1,"tool":"t","args":[]}""";
            var frame = BridgeFrame.Parse(Encoding.UTF8.GetBytes(envelope));
            Assert.True(Enum.GetName(frame.Type) == member, $"\"{wire}\" was read as {frame.Type}, the file says {member}");
        }

        Assert.Equal(BridgeFrameType.Unknown, BridgeFrame.Parse("""{"id":1,"type":"not_in_the_file"}"""u8).Type);
    }

    [Fact]
    public void The_error_kinds_a_bridge_may_send_are_exactly_the_files()
    {
        var kinds = ErrorKinds();
        Assert.NotEmpty(kinds);
        foreach (var kind in kinds)
        {
            Assert.True(Enum.TryParse<DSPexErrorKind>(kind, ignoreCase: false, out var parsed) && Enum.GetName(parsed) == kind,
                $"the file's error kind {kind} is not a DSPexErrorKind");
            Assert.Equal(parsed, BridgeErrorKinds.Parse(kind));
        }

        // Every other kind is the silo's own: a bridge naming one is read as a plain Python exception.
        foreach (var other in Enum.GetNames<DSPexErrorKind>().Except(kinds))
        {
            Assert.True(BridgeErrorKinds.Parse(other) == DSPexErrorKind.PythonException, $"the silo takes {other} from a bridge, but the file does not list it");
        }
    }

    /// <summary>The control frames (cancel, credit, heartbeat) are written by the process connection as literals.</summary>
    [Fact]
    public void The_call_frame_the_silo_writes_is_a_type_the_file_lists()
    {
        var toBridge = Definition.GetProperty("frames_to_bridge").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["call", "cancel", "credit", "heartbeat", "tool_result"], toBridge.Order());
        var writer = new BridgeFrameWriter(64 * 1024);
        foreach (var frame in new[] { writer.Call(7, "echo", "{}").ToArray(), writer.ToolResult(7, 1, "{}").ToArray(), writer.ToolError(7, 1, "ToolFailed", "T", "m").ToArray() })
        {
            using var envelope = JsonDocument.Parse(frame.AsMemory(4));
            Assert.Contains(envelope.RootElement.GetProperty("type").GetString(), toBridge);
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
        var limits = Definition.GetProperty("request_limits");
        Assert.Equal(RequestLimits.MaxCommandLength, limits.GetProperty("max_command_length").GetInt32());
        Assert.Equal(RequestLimits.MaxJsonDepth, limits.GetProperty("max_json_depth").GetInt32());
        Assert.Equal(RequestLimits.DefaultMaxRequestBytes, limits.GetProperty("default_max_frame_bytes").GetInt32());
        Assert.Equal(new DSPex.Orleans.Configuration.DSPexPoolOptions().MaxFrameBytes, limits.GetProperty("default_max_frame_bytes").GetInt32());
    }

    /// <summary>Routing leaves the bridge's own commands out of a pool's offer, so they must be the ones the bridge registers.</summary>
    [Fact]
    public void The_builtin_commands_are_the_ones_routing_leaves_out()
    {
        var listed = Definition.GetProperty("builtin_commands").EnumerateArray().Select(c => c.GetString()!).Order();
        Assert.Equal(listed, DSPex.Orleans.Processes.BridgeBuiltins.Commands.Order());
    }
}
