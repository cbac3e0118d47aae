using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// The connection frees what it owns (outbox, deadline timer, frame writer) when its reader ends or its owner disposes
/// it. Sends racing that end, from several threads and of every kind (calls with deadlines, heartbeats, credit, cancels,
/// chunks), get the answer a closed connection gives (WorkerCrashed: failed if it was sent, not delivered if not);
/// none meets the disposed writer (an ObjectDisposedException, or the Internal "could not be encoded" it would become).
/// </summary>
[Trait("Category", "Unit")]
public sealed class BridgeConnectionDisposeTests
{
    private const int Rounds = 40;
    private const int Senders = 3;
    private const int SendsBeforeTheEnd = 5; // each sender's, so the end meets sends already flowing

    // Hang guards only: nothing here waits for time to pass.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public enum Ending
    {
        /// <summary>Python's end closes: the reader ends and disposes the connection.</summary>
        PipeCloses,

        /// <summary>The owner disposes the connection while the reader still runs.</summary>
        OwnerDisposes,

        /// <summary>Both at once, on two threads.</summary>
        Both,
    }

    [Theory]
    [InlineData(Ending.PipeCloses)]
    [InlineData(Ending.OwnerDisposes)]
    [InlineData(Ending.Both)]
    public async Task Sends_racing_the_end_get_the_closed_connection_s_typed_answer_never_a_disposed_writer(Ending ending)
    {
        for (var round = 0; round < Rounds; round++)
        {
            using var pipes = new ConnectionPipes();
            using var flowing = new CountdownEvent(Senders);
            var senders = Enumerable.Range(0, Senders)
                .Select(_ => Task.Factory.StartNew(() => SendUntilRefused(pipes.Connection, flowing), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();

            Assert.True(flowing.Wait(Wait), $"round {round}: the senders did not start within {Wait}");
            await End(pipes, ending);
            var replies = (await Task.WhenAll(senders).WaitAsync(Wait)).SelectMany(r => r).ToArray();

            foreach (var finished in replies)
            {
                var reply = await finished.WaitAsync(Wait);
                Assert.True(reply.Error is { Kind: CallErrorKind.WorkerCrashed },
                    $"round {round} ({ending}): a send racing the end was answered {reply.Error?.Kind.ToString() ?? "with a result"}: {reply.Error?.Message}");
                Assert.DoesNotContain("Disposed", reply.Error!.Message, StringComparison.Ordinal);
            }

            Assert.NotNull(pipes.Connection.ClosedReason);
            var late = pipes.Connection.Send(new BridgeCall("late", "{}", Deadline: TimeSpan.FromHours(1)));
            Assert.False(late.Sent);
            Assert.Equal(CallErrorKind.WorkerCrashed, (await late.Finished).Error!.Kind);
        }
    }

    [Fact]
    public async Task A_call_pending_when_the_reader_ends_is_failed_even_when_the_owner_s_handler_does_not_close()
    {
        // ConnectionPipes' handler only records the end; the connection closes itself as its reader ends.
        using var pipes = new ConnectionPipes();
        var pending = pipes.Connection.Send(new BridgeCall("slow", "{}"));

        pipes.ClosePython();
        var reply = await pending.Finished.WaitAsync(Wait);

        Assert.True(pending.Sent);
        Assert.Equal(CallErrorKind.WorkerCrashed, reply.Error!.Kind);
        Assert.Contains("its connection was closed before the reply came", reply.Error.Message, StringComparison.Ordinal);
        Assert.False((await pipes.Connection.Send(new BridgeCall("late", "{}")).Finished).Delivered);
    }

    [Fact]
    public async Task Disposing_keeps_the_reason_it_closed_for_and_may_be_repeated()
    {
        using var pipes = new ConnectionPipes();
        var pending = pipes.Connection.Send(new BridgeCall("a", "{}"));
        pipes.Connection.Close("gone.", CallErrorKind.MalformedFrame, _ => "out of step");

        pipes.Connection.Dispose();
        pipes.Connection.Dispose();

        Assert.Equal("gone.", pipes.Connection.ClosedReason);
        Assert.Equal(CallErrorKind.MalformedFrame, (await pending.Finished.WaitAsync(Wait)).Error!.Kind);
        pipes.Connection.SendHeartbeat();
        pipes.Connection.GrantCredit(pending.Id, 1);
        pipes.Connection.Cancel(pending.Id);
        Assert.False(pipes.Connection.SendChunk(pending.Id, new byte[] { 1 }));
        pipes.Connection.EndChunks(pending.Id, null);
    }

    /// <summary>Sends every kind of frame until a call is refused, then each kind once more; returns every call's answer.</summary>
    private static List<Task<BridgeReply>> SendUntilRefused(BridgeConnection connection, CountdownEvent flowing)
    {
        var replies = new List<Task<BridgeReply>>();
        var refusedAfter = -1;
        for (var sends = 1; refusedAfter < 0 || sends <= refusedAfter + 1; sends++)
        {
            var call = connection.Send(new BridgeCall("echo", "{\"n\":1}", Deadline: TimeSpan.FromHours(1), UploadWindow: 1));
            replies.Add(call.Finished);
            connection.SendHeartbeat();
            connection.GrantCredit(call.Id, 1);
            connection.OpenUpload(call.Id, 1);
            connection.SendChunk(call.Id, new byte[] { 1, 2, 3 });
            connection.EndChunks(call.Id, null);
            connection.CloseUpload(call.Id);
            if (sends % 4 == 0)
            {
                connection.Cancel(call.Id);
            }

            if (sends == SendsBeforeTheEnd)
            {
                flowing.Signal();
            }

            if (!call.Sent && refusedAfter < 0)
            {
                refusedAfter = sends; // the end is made only once every sender has signalled, so this is past the signal
            }
        }

        return replies;
    }

    private static async Task End(ConnectionPipes pipes, Ending ending)
    {
        switch (ending)
        {
            case Ending.PipeCloses:
                pipes.ClosePython();
                break;
            case Ending.OwnerDisposes:
                pipes.Connection.Dispose();
                break;
            default:
                var dispose = Task.Factory.StartNew(pipes.Connection.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                pipes.ClosePython();
                await dispose.WaitAsync(Wait);
                break;
        }
    }
}
