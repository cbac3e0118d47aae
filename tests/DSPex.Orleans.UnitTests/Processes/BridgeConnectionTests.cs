using System.Threading.Channels;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>The protocol connection on its own: one Send, replies by id, streams, and what closing does to calls.</summary>
[Trait("Category", "Unit")]
public sealed class BridgeConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_reply_reaches_the_hook_on_the_reader_thread_before_the_caller()
    {
        using var pipes = new ConnectionPipes();
        var completedWhenHookRan = true;
        SentCall sent = default;
        var hookRan = new TaskCompletionSource<BridgeReply>();
        sent = pipes.Connection.Send(new BridgeCall("echo", "{\"x\":1}"), reply =>
        {
            completedWhenHookRan = sent.Finished.IsCompleted;
            hookRan.SetResult(reply);
        });

        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":{{\"x\":1}}}}");
        var reply = await sent.Finished.WaitAsync(Wait);

        Assert.True(sent.Sent);
        Assert.Equal("{\"x\":1}", reply.ResultJson);
        Assert.Equal(reply, await hookRan.Task.WaitAsync(Wait));
        Assert.False(completedWhenHookRan);
        Assert.True(pipes.Stdin.Length > 0);
    }

    [Fact]
    public async Task Stream_items_go_to_the_call_s_channel_which_the_final_reply_completes()
    {
        using var pipes = new ConnectionPipes();
        var items = Channel.CreateBounded<ItemFrame>(4);
        var sent = pipes.Connection.Send(BridgeCall.Stream("count", "{}", null, null, 4, items.Writer));

        pipes.Write($"{{\"type\":\"item\",\"id\":{sent.Id},\"item\":1}}");
        pipes.Write($"{{\"type\":\"item\",\"id\":{sent.Id},\"item\":2}}");
        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":null}}");
        await sent.Finished.WaitAsync(Wait);

        Assert.Equal(["1", "2"], (await items.Reader.ReadAllAsync().ToListAsync()).Select(i => i.ItemJson));
    }

    [Fact]
    public async Task A_frame_that_is_not_the_protocol_closes_the_connection_as_malformed()
    {
        using var pipes = new ConnectionPipes();

        pipes.Write("this is not json");
        var (kind, reason) = await pipes.Closed.WaitAsync(Wait);

        Assert.Equal(CallErrorKind.MalformedFrame, kind);
        Assert.Contains("malformed frame", reason);
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_closes_the_connection_as_malformed()
    {
        using var pipes = new ConnectionPipes();

        pipes.WriteRaw([], declaredLength: ConnectionPipes.MaxFrameBytes * 2);
        var (kind, reason) = await pipes.Closed.WaitAsync(Wait);

        Assert.Equal(CallErrorKind.MalformedFrame, kind);
        Assert.Contains("past the limit", reason);
    }

    [Fact]
    public async Task A_closed_pipe_is_reported_as_a_crash()
    {
        using var pipes = new ConnectionPipes();

        pipes.ClosePython();

        Assert.Equal(CallErrorKind.WorkerCrashed, (await pipes.Closed.WaitAsync(Wait)).Kind);
    }

    [Fact]
    public async Task Closing_fails_every_pending_call_with_a_message_chosen_by_their_count_and_refuses_new_ones()
    {
        using var pipes = new ConnectionPipes();
        var first = pipes.Connection.Send(new BridgeCall("a", "{}"));
        var second = pipes.Connection.Send(new BridgeCall("b", "{}"));

        pipes.Connection.Close("gone.", CallErrorKind.WorkerCrashed, count => $"{count} in flight");
        var late = pipes.Connection.Send(new BridgeCall("c", "{}"));

        Assert.Equal("2 in flight", (await first.Finished.WaitAsync(Wait)).Error!.Message);
        Assert.Equal(CallErrorKind.WorkerCrashed, (await second.Finished.WaitAsync(Wait)).Error!.Kind);
        Assert.False(late.Sent);
        Assert.False((await late.Finished).Delivered);
        Assert.Equal("gone.", pipes.Connection.ClosedReason);
    }

    [Fact]
    public async Task A_call_too_large_for_a_frame_is_not_sent_and_its_hook_never_runs()
    {
        using var pipes = new ConnectionPipes();
        var hookRan = false;
        var huge = $"{{\"s\":\"{new string('x', ConnectionPipes.MaxFrameBytes)}\"}}";

        var sent = pipes.Connection.Send(new BridgeCall("big", huge), _ => hookRan = true);

        Assert.False(sent.Sent);
        Assert.Equal(CallErrorKind.FrameTooLarge, (await sent.Finished).Error!.Kind);
        Assert.False(hookRan);
        Assert.Equal(0, pipes.Stdin.Length);
    }
}
