using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Processes;

/// <summary>
/// A worker whose pipe broke before its exit is seen: a call is not delivered (safe to run elsewhere), the
/// connection says so, and no exception reaches the caller. CI once saw the pool retry such a call on the same
/// worker, again and again on one thread, until the stack overflowed and took the process with it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BrokenPipeTests
{
    public static TheoryData<string> Failures => ["broken pipe", "disposed"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_call_to_a_broken_pipe_is_not_delivered_and_marks_the_connection(string failure)
    {
        using var pipes = new ConnectionPipes(new FailingStream(failure));
        Assert.False(pipes.Connection.WriteBroken);

        var hookRan = false;
        var first = pipes.Connection.Send(new BridgeCall("ping", "{}"), _ => hookRan = true);
        var reply = await first.Finished;

        Assert.False(first.Sent);
        Assert.False(reply.Delivered);
        Assert.Equal(CallErrorKind.WorkerCrashed, reply.Error?.Kind);
        Assert.True(pipes.Connection.WriteBroken);
        Assert.False(hookRan);

        // Control frames (a heartbeat) to a broken pipe do not throw either.
        pipes.Connection.Cancel(first.Id);
        Assert.False((await pipes.Connection.Send(new BridgeCall("ping", "{}")).Finished).Delivered);
    }

    private sealed class FailingStream(string failure) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get; set; }

        public override void Write(ReadOnlySpan<byte> buffer) =>
            throw (failure == "disposed" ? new ObjectDisposedException("stdin") : new IOException("Broken pipe"));

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
