using System.Text;
using System.Text.Json;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Tools;

namespace DSPex.Orleans.UnitTests.Tools;

/// <summary>
/// Binary parts in tool calls: a tool_call frame's parts are read exactly, and parts whose lengths lie fail that tool
/// call (an ArgsProblem, InvalidArguments to Python) instead of breaking the stream; a tool_result carries the tool's
/// parts raw after the envelope, bounded by the frame limit; a tool's ReadOnlyMemory&lt;byte&gt;/byte[] members read
/// parts ({"$bytes": i}) and base64 text, and its binary result members become parts.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ToolPartsTests
{
    private static byte[] Frame(string envelope, params byte[][] parts) =>
        [.. Encoding.UTF8.GetBytes(envelope), 0, .. parts.SelectMany(p => p)];

    public sealed record Args(ReadOnlyMemory<byte> Data, byte[] More, int N);

    public sealed record Result(byte[] Reversed, ReadOnlyMemory<byte> Same, int Length);

    private static readonly DSPexTool Tool = DSPexTool.Create<Args, Result>("t", "reverses", (a, _) =>
        Task.FromResult(new Result([.. a.Data.ToArray().Reverse()], a.More, a.Data.Length + a.N)));

    [Fact]
    public void A_tool_calls_parts_are_read_exactly()
    {
        var frame = Assert.IsType<ToolCallFrame>(BridgeFrame.Parse(Frame("""{"type":"tool_call","id":5,"tool_id":2,"tool":"t","args":{"data":{"$bytes":1}},"parts":[2,3]}""", [1, 2], [0, 0, 9])));

        Assert.Null(frame.ArgsProblem);
        Assert.Equal("""{"data":{"$bytes":1}}""", frame.ArgsJson);
        Assert.Equal([[1, 2], [0, 0, 9]], frame.Parts!.Select(p => p.ToArray()));
    }

    [Theory]
    [InlineData("""{"type":"tool_call","id":5,"tool_id":2,"tool":"t","args":{},"parts":[2,10]}""", "part 1 declares 10 bytes but only 1 remain")]
    [InlineData("""{"type":"tool_call","id":5,"tool_id":2,"tool":"t","args":{},"parts":[1]}""", "parts declare 1 bytes but the frame carries 3")]
    [InlineData("""{"type":"tool_call","id":5,"tool_id":2,"tool":"t","args":{}}""", "parts declare 0 bytes but the frame carries 3")]
    public void Tool_call_parts_whose_lengths_lie_fail_that_tool_call_naming_the_part(string envelope, string problem)
    {
        var frame = Assert.IsType<ToolCallFrame>(BridgeFrame.Parse(Frame(envelope, [1, 2, 3])));

        Assert.Contains(problem, frame.ArgsProblem);
        Assert.Equal((5, 2), (frame.Id, frame.ToolId));
    }

    [Fact]
    public void Bytes_after_a_list_tools_frame_are_still_a_malformed_frame() =>
        Assert.Throws<FrameFormatException>(() => BridgeFrame.Parse(Frame("""{"type":"list_tools","id":5,"tool_id":2}""", [1])));

    [Fact]
    public void A_tool_result_carries_its_parts_raw_and_the_frame_limit_counts_them()
    {
        var writer = new BridgeFrameWriter(4096);
        var frame = writer.ToolResult(3, 4, """{"$bytes":0}""", [new byte[] { 0, 255, 0 }]).ToArray().AsSpan(4);
        var at = frame.IndexOf((byte)0);
        using var envelope = JsonDocument.Parse(frame[..at].ToArray());
        Assert.Equal([3], envelope.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(new byte[] { 0, 255, 0 }, frame[(at + 1)..].ToArray());

        Assert.Throws<FrameOverLimitException>(() => writer.ToolResult(3, 5, """{"$bytes":0}""", [new byte[4096]]));
    }

    [Fact]
    public async Task A_tools_binary_members_read_parts_and_its_binary_results_become_parts()
    {
        var outcome = await Tool.InvokeAsync("""{"data":{"$bytes":0},"more":{"$bytes":1},"n":1}""", [new byte[] { 1, 2, 3 }, new byte[] { 9 }], CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal("""{"reversed":{"$bytes":0},"same":{"$bytes":1},"length":4}""", outcome.ResultJson);
        Assert.Equal([[3, 2, 1], [9]], outcome.ResultParts!.Select(p => p.ToArray()));
    }

    [Fact]
    public async Task Base64_text_is_still_read_and_a_reference_to_a_part_not_carried_is_invalid_arguments()
    {
        var base64 = await Tool.InvokeAsync("""{"data":"AQID","more":"CQ==","n":0}""", null, CancellationToken.None);
        Assert.Null(base64.Error);
        Assert.Equal([[3, 2, 1], [9]], base64.ResultParts!.Select(p => p.ToArray()));

        var missing = await Tool.InvokeAsync("""{"data":{"$bytes":4},"more":"","n":0}""", [new byte[] { 1 }], CancellationToken.None);
        Assert.Equal(ToolErrorKinds.InvalidArguments, missing.Error?.Kind);
        Assert.Contains("part 4", missing.Error!.Message);
    }
}
