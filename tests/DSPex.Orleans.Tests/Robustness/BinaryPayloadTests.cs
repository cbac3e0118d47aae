using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Bytes and arrays cross client -> grain -> worker -> Python and back as binary parts (no base64 anywhere): exactly, up
/// to the frame limit, and past it a typed error before anything is sent. A worker whose result's parts do not add up
/// fails that call with ResultNotSerializable naming the part, and keeps serving.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class BinaryPayloadTests(RobustnessClusterFixture fixture)
{
    private sealed record Echoed(BinaryData Data, DSPexArray Vector);

    [Fact]
    public async Task Bytes_and_a_float32_array_go_to_python_and_come_back_exactly()
    {
        var bytes = new byte[512 * 1024];
        new Random(23).NextBytes(bytes);
        var floats = Enumerable.Range(0, 6000).Select(i => i * 0.5f - 7f).ToArray();

        var result = await fixture.Client.ExecuteDataAsync("echo", new { Data = new BinaryData(bytes), Vector = DSPexArray.From(floats, 2, 3000) });

        Assert.DoesNotContain("\"data\":\"", result.Json); // a part reference, not base64 text
        var echoed = result.Read<Echoed>()!;
        Assert.Equal(bytes, echoed.Data.ToArray());
        Assert.Equal("float32", echoed.Vector.DType);
        Assert.Equal([2L, 3000L], echoed.Vector.Shape);
        Assert.Equal(floats, echoed.Vector.ToArray<float>());
    }

    [Fact]
    public async Task Parts_past_the_frame_limit_are_refused_by_the_client_and_by_the_pool()
    {
        var over = new BinaryData(new byte[RobustnessClusterFixture.MaxFrameBytes]);
        var error = await Assert.ThrowsAsync<FrameTooLargeException>(() => fixture.Client.ExecuteDataAsync("echo", new { Data = over }));
        Assert.Contains(RobustnessClusterFixture.MaxFrameBytes.ToString(), error.Message);
        Assert.Equal(0, fixture.Client.CallsInFlight);

        var response = await fixture.Router.ExecuteAsync(new ExecuteRequest("echo", """{"$bytes":0}""") { ArgParts = [new byte[RobustnessClusterFixture.MaxFrameBytes]] });
        Assert.Equal(DSPexErrorKind.FrameTooLarge, response.Error?.Kind);
        await fixture.FullCapacityAsync("binary parts over the limit");
    }

    [Fact]
    public async Task A_result_whose_parts_lie_fails_that_call_naming_the_part_and_the_worker_keeps_serving()
    {
        var restartsBefore = (await fixture.FullCapacityAsync("before")).Restarts;
        var response = await fixture.Router.ExecuteAsync(new ExecuteRequest("lying_parts", "null"));

        Assert.Equal(DSPexErrorKind.ResultNotSerializable, response.Error?.Kind);
        Assert.Contains("part 0 declares 10 bytes but only 3 remain", response.Error!.Message);
        using var worker = System.Diagnostics.Process.GetProcessById(response.WorkerPid);
        Assert.False(worker.HasExited);
        // Not replaced: no restart, and the process is still the pool's (a replaced worker would be killed).
        Assert.Equal(restartsBefore, (await fixture.FullCapacityAsync("a result whose parts lie")).Restarts);
    }
}
