using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// A call's deadline is swept by its connection's one timer (no timer per call): the caller is answered when it
/// passes, the call stays pending, and Python's late reply still frees the worker (the hook) and ends the wait.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CallDeadlineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_call_past_its_deadline_is_answered_and_its_late_reply_still_runs_the_hook()
    {
        using var pipes = new ConnectionPipes();
        var hook = new TaskCompletionSource<BridgeReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = pipes.Connection.Send(new BridgeCall("slow", "{}", Deadline: TimeSpan.FromMilliseconds(50)), reply => hook.TrySetResult(reply));

        var answer = await sent.Finished.WaitAsync(Wait);

        Assert.True(PendingCall.IsDeadlinePassed(answer));
        Assert.False(sent.Replied.IsCompleted);
        Assert.False(hook.Task.IsCompleted);

        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":1}}");
        await sent.Replied.WaitAsync(Wait);

        Assert.Equal("1", (await hook.Task.WaitAsync(Wait)).ResultJson);
        Assert.True(PendingCall.IsDeadlinePassed(await sent.Finished));
    }

    [Fact]
    public async Task Only_the_calls_past_their_deadline_are_answered()
    {
        using var pipes = new ConnectionPipes();
        var late = pipes.Connection.Send(new BridgeCall("slow", "{}", Deadline: TimeSpan.FromMilliseconds(30)));
        var patient = pipes.Connection.Send(new BridgeCall("slow", "{}", Deadline: TimeSpan.FromHours(1)));
        var unbounded = pipes.Connection.Send(new BridgeCall("slow", "{}"));

        Assert.True(PendingCall.IsDeadlinePassed(await late.Finished.WaitAsync(Wait)));
        Assert.False(patient.Finished.IsCompleted);
        Assert.False(unbounded.Finished.IsCompleted);

        pipes.Write($"{{\"type\":\"result\",\"id\":{patient.Id},\"result\":2}}");
        pipes.Write($"{{\"type\":\"result\",\"id\":{unbounded.Id},\"result\":3}}");

        Assert.Equal("2", (await patient.Finished.WaitAsync(Wait)).ResultJson);
        Assert.Equal("3", (await unbounded.Finished.WaitAsync(Wait)).ResultJson);
    }

    [Fact]
    public async Task A_call_answered_by_its_reply_is_not_answered_again_by_its_deadline()
    {
        using var pipes = new ConnectionPipes();
        // 3 s, not a few ms: the reply must be read before the deadline passes even on a loaded machine (at 40 ms
        // CI's load let the deadline answer first).
        var deadline = TimeSpan.FromSeconds(3);
        var quick = pipes.Connection.Send(new BridgeCall("fast", "{}", Deadline: deadline));
        pipes.Write($"{{\"type\":\"result\",\"id\":{quick.Id},\"result\":4}}");
        Assert.Equal("4", (await quick.Finished.WaitAsync(Wait)).ResultJson);

        // A later call with the same deadline, sent after, passes its deadline no earlier than the first: once it is
        // answered by its deadline, the timer has swept past the first one's.
        var later = pipes.Connection.Send(new BridgeCall("slow", "{}", Deadline: deadline));
        Assert.True(PendingCall.IsDeadlinePassed(await later.Finished.WaitAsync(Wait)));

        Assert.Equal("4", (await quick.Finished).ResultJson);
    }
}
