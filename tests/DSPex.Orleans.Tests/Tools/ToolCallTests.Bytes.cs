using System.Security.Cryptography;
using System.Text.Json;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>
/// Bytes in tool calls on a 2-silo cluster with real Python: the caller's bytes reach Python as a binary part, Python
/// passes them to a .NET tool (a client's, through its observer, and a silo's) as a part, the tool reads them as
/// ReadOnlyMemory&lt;byte&gt;/byte[] and answers bytes, which come back to Python and to the caller as parts; no
/// base64 on the way. A tool result past the frame limit is FrameTooLarge; a tool_call whose part lengths lie fails
/// that tool call (InvalidArguments naming the part) and the worker serves on, not replaced.
/// </summary>
// Part of ToolCallTests: the tool cluster is started once for both.
public sealed partial class ToolCallTests
{
    private sealed record Digest(int Length, BinaryData Sha256, BinaryData Reversed);

    private sealed record LyingOutcome(JsonElement? First, BinaryData Second, int Pid);

    [Fact]
    public async Task Bytes_go_to_a_client_tool_and_its_bytes_come_back_exactly()
    {
        var payload = new byte[300 * 1024];
        new Random(23).NextBytes(payload);

        var result = await fixture.Client.ExecuteDataAsync("tool_bytes", new { Tool = "digest", Data = new BinaryData(payload) });

        Assert.DoesNotContain("error", result.Json);
        Assert.Equal(2, result.Parts.Count); // sha256 and reversed: parts, not base64 text
        var digest = result.Read<Digest>()!;
        Assert.Equal(payload.Length, digest.Length);
        Assert.Equal(SHA256.HashData(payload), digest.Sha256.ToArray());
        Assert.Equal(payload.Reverse().ToArray(), digest.Reversed.ToArray());
    }

    [Fact]
    public async Task Bytes_go_to_a_silo_tool_as_byte_array_and_come_back()
    {
        var result = await fixture.Client.ExecuteDataAsync("tool_bytes", new { Tool = "silo_reverse", Data = new BinaryData(new byte[] { 0, 1, 2, 255 }) });

        Assert.Single(result.Parts);
        Assert.Equal(new byte[] { 255, 2, 1, 0 }, result.Read<BinaryData>()!.ToArray());
    }

    [Fact]
    public async Task A_tool_result_past_the_frame_limit_is_frame_too_large_for_that_tool_call()
    {
        var result = await fixture.Client.ExecuteDataAsync("tool_bytes", new
        {
            Tool = "blob",
            Data = new BinaryData(new byte[] { 1 }),
            Extra = new { size = 17 * 1024 * 1024 }, // past the pool's default 16 MiB frame limit
        });

        using var answer = JsonDocument.Parse(result.Json);
        var error = answer.RootElement.GetProperty("error");
        Assert.Equal("FrameTooLarge", error.GetProperty("kind").GetString());
        await fixture.AllWorkersFreeAsync();
    }

    [Fact]
    public async Task A_tool_call_whose_part_lengths_lie_fails_that_call_and_the_worker_serves_on()
    {
        var result = await fixture.Client.ExecuteDataAsync("tool_bytes_lying", new { Tool = "digest" });

        var lying = result.Read<LyingOutcome>()!;
        Assert.NotNull(lying.First);
        Assert.Equal("InvalidArguments", lying.First!.Value.GetProperty("kind").GetString());
        Assert.Contains("part 0", lying.First.Value.GetProperty("message").GetString());
        Assert.Equal(32, lying.Second.ToArray().Length); // the same request's next tool call was answered (its sha256)
        var after = await fixture.Client.GetClusterStatsAsync();
        Assert.Contains(lying.Pid, after.Pools.SelectMany(p => p.WorkerDetails).Select(w => w.Pid));
        await fixture.AllWorkersFreeAsync();
    }
}
