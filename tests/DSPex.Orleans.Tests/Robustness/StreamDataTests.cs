using System.Text;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Stream items that hold bytes and arrays (issue 23): a generator yielding dicts with bytes and array.array values
/// arrives whole through StreamDataAsync (its parts beside its JSON), alone and in a session; the JSON-only readers
/// refuse such an item by name instead of dropping its parts. A session's downloads and uploads run with its
/// variables on its worker. Real cluster, real Python.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class StreamDataTests(RobustnessClusterFixture fixture)
{
    private sealed record DataItem(int I, BinaryData Data, DSPexArray Vector, int Pid, string? Session, string? Value);

    [Fact]
    public async Task Items_holding_bytes_and_arrays_arrive_with_their_parts()
    {
        var items = new List<DataItem>();
        await foreach (var item in fixture.Client.StreamDataAsync("data_items", new { count = 3, size = 1000 }))
        {
            Assert.Equal(2, item.Parts.Count);
            items.Add(item.Read<DataItem>()!);
        }

        Assert.Equal([0, 1, 2], items.Select(i => i.I));
        foreach (var item in items)
        {
            Assert.Equal(DownloadPattern.Chunk(item.I, 1000), item.Data.ToArray());
            Assert.Equal([item.I, item.I + 0.5f], item.Vector.ToArray<float>());
            Assert.Null(item.Session);
        }
    }

    [Fact]
    public async Task A_JSON_stream_refuses_an_item_with_parts_naming_it_and_the_worker_serves_on()
    {
        var raw = await Assert.ThrowsAsync<DSPexDataException>(async () =>
        {
            await foreach (var _ in fixture.Client.StreamRawAsync("data_items", "{\"count\":3}"))
            {
            }
        });
        Assert.Equal(DSPexErrorKind.ResultNotSerializable, raw.Kind);
        Assert.Contains("stream item 0 holds 2 binary part(s)", raw.Message);
        Assert.Contains("StreamDataAsync", raw.Message);

        var typed = await Assert.ThrowsAsync<DSPexDataException>(async () =>
        {
            await foreach (var _ in fixture.Client.StreamAsync<JsonElement>("data_items", new { count = 3 }))
            {
            }
        });
        Assert.Contains("stream item 0", typed.Message);
        await fixture.FullCapacityAsync("a JSON stream refused an item with parts");
    }

    [Fact]
    public async Task A_session_streams_data_and_downloads_with_its_variables_on_its_worker()
    {
        var sessionId = $"sdata-{Guid.NewGuid():N}";
        var session = fixture.Client.Session(sessionId);
        await session.SetVariableAsync("greeting", "hi");
        var pid = (await session.ExecuteResponseAsync("pid")).WorkerPid;

        var items = new List<DataItem>();
        await foreach (var item in session.StreamDataAsync("data_items", new { count = 2, size = 300 }))
        {
            items.Add(item.Read<DataItem>()!);
        }

        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal((pid, sessionId, "hi"), (item.Pid, item.Session, item.Value)));
        Assert.Equal(DownloadPattern.Chunk(1, 300), items[1].Data.ToArray());

        var chunks = new List<string>();
        await foreach (var chunk in session.DownloadChunksAsync("session_chunks", new { count = 3 }))
        {
            chunks.Add(Encoding.UTF8.GetString(chunk.Span));
        }

        Assert.Equal([$"{pid}:hi:0", $"{pid}:hi:1", $"{pid}:hi:2"], chunks);

        await using var download = await session.DownloadAsync("session_chunks", new { count = 2 });
        using var text = new StreamReader(download);
        Assert.Equal($"{pid}:hi:0{pid}:hi:1", await text.ReadToEndAsync());
    }

    [Fact]
    public async Task A_session_upload_runs_with_its_variables_on_its_worker()
    {
        var sessionId = $"supload-{Guid.NewGuid():N}";
        var session = fixture.Client.Session(sessionId);
        await session.SetVariableAsync("greeting", "hi");
        var pid = (await session.ExecuteResponseAsync("pid")).WorkerPid;
        var data = new byte[3 * RobustnessClusterFixture.MaxFrameBytes / 2];

        var answer = (await session.UploadAsync("session_upload", new MemoryStream(data))).Read<JsonElement>();

        Assert.Equal(data.Length, answer.GetProperty("size").GetInt32());
        Assert.Equal(pid, answer.GetProperty("pid").GetInt32());
        Assert.Equal(sessionId, answer.GetProperty("session").GetString());
        Assert.Equal("hi", answer.GetProperty("value").GetString());

        // Bad input is typed as for a stateless upload: data shorter than declared names the upload's length.
        var shortData = await Assert.ThrowsAsync<InvalidArgumentsException>(() =>
            session.UploadAsync("session_upload", OneChunk(10), declaredLength: 20));
        Assert.Contains("20", shortData.Message);
        await fixture.FullCapacityAsync("a session upload");
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> OneChunk(int size)
    {
        await Task.CompletedTask;
        yield return new byte[size];
    }
}
