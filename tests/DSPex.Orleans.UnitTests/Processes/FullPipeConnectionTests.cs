using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipes;
using System.Text.Json;
using System.Threading.Channels;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// The connection with the pipe to the worker full (the worker reads nothing) while the worker sends every kind of
/// frame: no send blocks (calls, heartbeat, cancel, credit), the reader thread goes on reading and answering (tool
/// calls it answers itself are queued, not written in its turn), and once the worker reads, every frame arrives whole,
/// in order, with the heartbeat and the cancel ahead of the calls still waiting. On main the first send into the full
/// pipe blocked its thread, and the reader blocked in its turn on the tool answers (issue 20: the whole-silo wedge).
/// </summary>
[Trait("Category", "Unit")]
public sealed class FullPipeConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30); // an upper bound for "it did not block"
    private const int Calls = 40;
    private static readonly TimeSpan StaleBy = TimeSpan.FromMilliseconds(60);

    [Fact]
    public async Task Nothing_blocks_on_a_full_pipe_and_every_frame_arrives_once_the_worker_reads()
    {
        using var toPython = new AnonymousPipeServerStream(PipeDirection.Out);
        using var pythonReads = new AnonymousPipeClientStream(PipeDirection.In, toPython.ClientSafePipeHandle);
        using var pipes = new ConnectionPipes(toPython);
        var connection = pipes.Connection;
        var args = JsonSerializer.Serialize(new { pad = new string('x', ConnectionPipes.MaxFrameBytes / 2) });
        var items = Channel.CreateBounded<ItemFrame>(4);

        // Sends from another thread, bounded: on main they block for good once the pipe is full.
        var calls = await Task.Run(() =>
        {
            var sent = new List<SentCall> { connection.Send(BridgeCall.Stream("count", "{}", null, null, 1, items.Writer)) };
            for (var i = 1; i < Calls; i++)
            {
                sent.Add(connection.Send(new BridgeCall("echo", args)));
            }

            connection.SendHeartbeat();
            connection.Cancel(sent[^1].Id);
            connection.GrantCredit(sent[0].Id, 1);
            return sent;
        }).WaitAsync(Wait);

        Assert.All(calls, c => Assert.True(c.Sent));
        // 40 calls of 32 KB: more than a pipe holds (64 KB by default, 1 MB at most without privileges).

        // Every frame kind from the worker, while its stdin stays full: the reader handles each in turn.
        // The connection's creation counts as a heartbeat, on a coarse clock (Environment.TickCount64, a few ms a tick):
        // let it age well past one tick first, so the answer's reset shows however few ticks the rest takes.
        SpinWait.SpinUntil(() => connection.SinceLastHeartbeat >= StaleBy);
        var staleBy = connection.SinceLastHeartbeat;
        var heartbeatFrom = Stopwatch.StartNew();
        pipes.Write($$$"""{"type":"tool_call","id":{{{calls[1].Id}}},"tool_id":1,"tool":"{{{new string('t', 20_000)}}}","args":{}}""");
        pipes.Write($$$"""{"type":"list_tools","id":{{{calls[2].Id}}},"tool_id":2}""");
        pipes.Write("""{"type":"heartbeat","id":1}""");
        pipes.Write("""{"type":"protocol_error","message":"a frame of the model"}""");
        pipes.Write($$$"""{"type":"item","id":{{{calls[0].Id}}},"item":7}""");
        pipes.Write($$$"""{"type":"result","id":{{{calls[0].Id}}},"result":null}""");
        pipes.Write($$$"""{"type":"result","id":{{{calls[3].Id}}},"result":{"ok":true}}""");
        pipes.Write($$$"""{"type":"error","id":{{{calls[4].Id}}},"error":{"kind":"PythonException","type":"ValueError","message":"m"}}""");

        Assert.Null((await calls[0].Finished.WaitAsync(Wait)).Error);
        Assert.Equal("{\"ok\":true}", (await calls[3].Finished.WaitAsync(Wait)).ResultJson);
        Assert.Equal(CallErrorKind.PythonException, (await calls[4].Finished.WaitAsync(Wait)).Error?.Kind);
        Assert.Equal(["7"], (await items.Reader.ReadAllAsync().ToListAsync()).Select(i => i.ItemJson));
        // Unread, its age would be staleBy + the time since (give or take a tick); read, at most the time since.
        Assert.True(connection.SinceLastHeartbeat < staleBy + heartbeatFrom.Elapsed - StaleBy / 2, "the heartbeat answer was not read");

        // The worker reads: every frame whole, each once.
        var frames = await Task.Run(() => ReadFrames(pythonReads, Calls + 5)).WaitAsync(Wait);
        var types = frames.Select(f => f.GetProperty("type").GetString()).ToList();
        var callIds = frames.Where(f => f.GetProperty("type").GetString() == "call").Select(f => f.GetProperty("id").GetInt64());
        Assert.Equal(calls.Select(c => c.Id).Order(), callIds.Order());
        var lastCall = types.LastIndexOf("call");
        var order = string.Join(",", types);
        Assert.True(types.IndexOf("heartbeat") is >= 0 and var heartbeat && heartbeat < lastCall, $"the heartbeat should pass the waiting calls: {order}");
        Assert.True(types.IndexOf("cancel") > lastCall, $"the cancel of the last call, still waiting, keeps its place behind it: {order}");
        Assert.True(types.IndexOf("credit") > lastCall, $"the credit is sent in order: {order}");
        var toolAnswers = frames.Where(f => f.GetProperty("type").GetString() == "tool_result").ToList();
        Assert.Equal(2, toolAnswers.Count);
        Assert.Equal("UnknownTool", toolAnswers.Single(f => f.GetProperty("tool_id").GetInt64() == 1).GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Array, toolAnswers.Single(f => f.GetProperty("tool_id").GetInt64() == 2).GetProperty("result").ValueKind);

        connection.Close("the test ended", CallErrorKind.WorkerCrashed, _ => "the test ended");
    }

    [Fact]
    public async Task A_cancel_never_passes_its_own_call_while_that_call_still_waits()
    {
        using var toPython = new AnonymousPipeServerStream(PipeDirection.Out);
        using var pythonReads = new AnonymousPipeClientStream(PipeDirection.In, toPython.ClientSafePipeHandle);
        using var pipes = new ConnectionPipes(toPython);
        var connection = pipes.Connection;
        var args = JsonSerializer.Serialize(new { pad = new string('x', ConnectionPipes.MaxFrameBytes / 2) });

        var calls = await Task.Run(() =>
        {
            var sent = Enumerable.Range(0, 8).Select(_ => connection.Send(new BridgeCall("echo", args))).ToList();
            connection.Cancel(sent[^1].Id); // its call is still queued: the cancel keeps its place behind it
            connection.Cancel(sent[0].Id); // its call is written (at least in part): the cancel passes the queue
            return sent;
        }).WaitAsync(Wait);

        var frames = await Task.Run(() => ReadFrames(pythonReads, 10)).WaitAsync(Wait);
        var order = frames.Select(f => (Type: f.GetProperty("type").GetString(), Id: f.GetProperty("id").GetInt64())).ToList();
        Assert.True(order.IndexOf(("cancel", calls[^1].Id)) > order.IndexOf(("call", calls[^1].Id)), string.Join(",", order));
        Assert.True(order.IndexOf(("cancel", calls[0].Id)) < order.IndexOf(("call", calls[^1].Id)), string.Join(",", order));
        connection.Close("the test ended", CallErrorKind.WorkerCrashed, _ => "the test ended");
    }

    private static List<JsonElement> ReadFrames(Stream stream, int count)
    {
        var frames = new List<JsonElement>();
        var header = new byte[4];
        for (var i = 0; i < count; i++)
        {
            stream.ReadExactly(header);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
            stream.ReadExactly(body);
            frames.Add(JsonDocument.Parse(body).RootElement.Clone());
        }

        return frames;
    }
}
