using DSPex.Orleans.Contracts;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
using DSPex.Orleans.UnitTests.Processes;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// A queued request whose call the thread that freed a worker sent for it is granted once the call is answered (its
/// reply, its deadline or its caller's cancellation), so its grain turn is woken once instead of twice. What must hold:
/// the grant always comes, with the call's answer; a cancellation is never lost, whether it comes before the call was
/// sent for the waiter or after; a waiter still queued gives up as before. Real connection over an in-process pipe.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DeliveredGrantTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CapacityWaiter ClaimedWaiter()
    {
        var waiter = new CapacityWaiter(new ExecuteRequest("slow", "{}"));
        Assert.True(waiter.TryClaim());
        return waiter;
    }

    private static SentCall Deliver(ConnectionPipes pipes, CapacityWaiter waiter, TimeSpan? deadline = null)
    {
        var sent = pipes.Connection.Send(new BridgeCall("slow", "{}", Deadline: deadline));
        Assert.True(sent.Sent);
        waiter.GrantWhenAnswered(new CapacityGrant(default, sent), sent.Pending!);
        return sent;
    }

    [Fact]
    public async Task The_grant_comes_with_the_reply_and_carries_the_sent_call()
    {
        using var pipes = new ConnectionPipes();
        var waiter = ClaimedWaiter();
        var sent = Deliver(pipes, waiter);

        Assert.False(waiter.Completion.Task.IsCompleted);
        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":7}}");

        var grant = await waiter.Completion.Task.WaitAsync(Wait);
        Assert.NotNull(grant);
        Assert.Equal(sent.Id, grant.Value.Sent!.Value.Id);
        Assert.True(grant.Value.Sent.Value.Finished.IsCompleted);
        Assert.Equal("7", (await grant.Value.Sent.Value.Finished).ResultJson);
    }

    [Fact]
    public async Task A_caller_cancelling_after_the_call_was_sent_is_answered_and_granted_without_the_reply()
    {
        using var pipes = new ConnectionPipes();
        var waiter = ClaimedWaiter();
        var sent = Deliver(pipes, waiter);

        waiter.CallerCancelled();

        var grant = await waiter.Completion.Task.WaitAsync(Wait);
        Assert.True(PendingCall.IsCallerCancelled(await grant!.Value.Sent!.Value.Finished));
        Assert.False(sent.Replied.IsCompleted); // Python still runs it: the pool abandons it (cancel, grace period)
    }

    [Fact]
    public async Task A_caller_cancelling_before_the_call_was_sent_is_not_lost()
    {
        using var pipes = new ConnectionPipes();
        var waiter = ClaimedWaiter();

        waiter.CallerCancelled(); // claimed already: it cannot give up, and there is no call yet to answer
        Assert.False(waiter.Completion.Task.IsCompleted);
        Deliver(pipes, waiter);

        var grant = await waiter.Completion.Task.WaitAsync(Wait);
        Assert.True(PendingCall.IsCallerCancelled(await grant!.Value.Sent!.Value.Finished));
    }

    [Fact]
    public async Task A_deadline_passing_after_the_call_was_sent_grants_with_the_deadline_answer()
    {
        using var pipes = new ConnectionPipes();
        var waiter = ClaimedWaiter();
        var sent = Deliver(pipes, waiter, TimeSpan.FromMilliseconds(50));

        var grant = await waiter.Completion.Task.WaitAsync(Wait);
        Assert.True(PendingCall.IsDeadlinePassed(await grant!.Value.Sent!.Value.Finished));

        // Its late reply still comes through (it frees the worker in the pool), and the grant is not given twice.
        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":1}}");
        await sent.Replied.WaitAsync(Wait);
        Assert.True(PendingCall.IsDeadlinePassed(await sent.Finished));
    }

    [Fact]
    public async Task A_call_answered_before_its_grant_was_deferred_is_granted_at_once()
    {
        using var pipes = new ConnectionPipes();
        var waiter = ClaimedWaiter();
        var sent = pipes.Connection.Send(new BridgeCall("slow", "{}"));
        pipes.Write($"{{\"type\":\"result\",\"id\":{sent.Id},\"result\":3}}");
        await sent.Finished.WaitAsync(Wait);

        waiter.GrantWhenAnswered(new CapacityGrant(default, sent), sent.Pending!);

        Assert.True(waiter.Completion.Task.IsCompleted);
        Assert.Equal("3", (await (await waiter.Completion.Task)!.Value.Sent!.Value.Finished).ResultJson);
    }

    [Fact]
    public async Task A_waiter_still_queued_gives_up_when_its_caller_cancels()
    {
        var waiter = new CapacityWaiter(new ExecuteRequest("slow", "{}"));

        waiter.CallerCancelled();

        Assert.Null(await waiter.Completion.Task.WaitAsync(Wait));
        Assert.False(waiter.TryClaim());
    }
}
