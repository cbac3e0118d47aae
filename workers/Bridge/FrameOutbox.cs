using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>How a frame waits when the pipe to the worker is full.</summary>
internal enum FramePriority
{
    /// <summary>After every frame handed in before it (calls, credit, tool answers).</summary>
    InOrder,

    /// <summary>Ahead of queued in-order frames (a cancel whose call is already written), behind a frame half written.</summary>
    Urgent,

    /// <summary>Urgent, and dropped when a heartbeat is already waiting: one in the queue asks the same question.</summary>
    Heartbeat,
}

/// <summary>What became of a frame handed to the outbox.</summary>
internal enum OutboxResult
{
    /// <summary>All of it is in the pipe.</summary>
    Written,

    /// <summary>The pipe was full: the outbox's writer thread writes it (the bytes were copied).</summary>
    Queued,

    /// <summary>The pipe is broken or closed: nothing was written.</summary>
    Broken,
}

/// <summary>
/// The one writer of a worker's stdin. Whoever sends (a grain turn, the reader thread answering a tool call, the health
/// loop's heartbeat, a deadline's cancel) hands in a whole frame and never blocks: it is written at once when the pipe
/// has room and nothing waits before it (the hot path: no thread hop), otherwise copied into a queue that a dedicated
/// thread, started the first time one is needed, drains as the worker reads. Frames never interleave; heartbeats and
/// cancels pass queued frames, so they wait for at most the frame being written. A worker that stops reading its stdin
/// stalls only this queue, and the heartbeat that cannot reach it then ends it. Over a stream that is not a pipe
/// (tests; other systems) writes are plain blocking writes, as before.
/// </summary>
internal sealed class FrameOutbox : IDisposable
{
    private const int PollMs = 500; // how often a writer waiting for room looks whether the outbox closed

    private readonly NonBlockingPipe? _pipe;
    private readonly Stream _stream;
    private readonly string _name;
    private readonly object _lock = new();
    private readonly Queue<Queued> _urgent = new();
    private readonly Queue<Queued> _inOrder = new();
    private Queued? _current; // the frame being written, and how much of it is
    private int _currentOffset;
    private bool _heartbeatQueued;
    private Thread? _thread;
    private bool _closed;
    private volatile bool _broken;

    public FrameOutbox(Stream stdin, string name)
    {
        _stream = stdin;
        _name = name;
        _pipe = stdin is System.IO.Pipes.PipeStream { SafePipeHandle: var handle } ? NonBlockingPipe.TryOpen(handle) : null;
    }

    /// <summary>A write failed: the worker's end of the pipe is gone.</summary>
    public bool Broken => _broken;

    /// <summary>
    /// Hands in a whole frame (its bytes are copied if they must wait). <paramref name="callId"/> names the call a call
    /// frame carries (0 otherwise): an urgent frame for a call whose own frame still waits keeps its place behind it.
    /// </summary>
    public OutboxResult Submit(ReadOnlySpan<byte> frame, FramePriority priority = FramePriority.InOrder, long callId = 0, long forCallId = 0)
    {
        if (_pipe is null)
        {
            return WriteBlocking(frame);
        }

        lock (_lock)
        {
            if (_broken || _closed)
            {
                return OutboxResult.Broken;
            }

            if (priority == FramePriority.Heartbeat && _heartbeatQueued)
            {
                return OutboxResult.Queued;
            }

            if (_current is null && _urgent.Count == 0 && _inOrder.Count == 0)
            {
                int written;
                try
                {
                    written = _pipe.TryWrite(frame);
                }
                catch (IOException)
                {
                    _broken = true;
                    return OutboxResult.Broken;
                }

                if (written == frame.Length)
                {
                    return OutboxResult.Written;
                }

                _current = new Queued(frame[written..].ToArray(), callId, priority == FramePriority.Heartbeat);
                _currentOffset = 0;
                _heartbeatQueued |= priority == FramePriority.Heartbeat;
                StartOrWakeWriter();
                return OutboxResult.Queued;
            }

            var queued = new Queued(frame.ToArray(), callId, priority == FramePriority.Heartbeat);
            var urgent = priority != FramePriority.InOrder && (forCallId == 0 || !WaitsInOrder(forCallId));
            (urgent ? _urgent : _inOrder).Enqueue(queued);
            _heartbeatQueued |= queued.IsHeartbeat;
            StartOrWakeWriter();
            return OutboxResult.Queued;
        }
    }

    /// <summary>Stops writing; frames still queued are dropped (the worker is going away).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            DropQueued();
            Monitor.PulseAll(_lock);
        }
    }

    private bool WaitsInOrder(long callId)
    {
        if (_current is { } current && current.CallId == callId)
        {
            return false; // being written: the urgent frame goes right after it anyway
        }

        foreach (var queued in _inOrder)
        {
            if (queued.CallId == callId)
            {
                return true;
            }
        }

        return false;
    }

    private OutboxResult WriteBlocking(ReadOnlySpan<byte> frame)
    {
        lock (_lock)
        {
            if (_broken || _closed)
            {
                return OutboxResult.Broken;
            }

            try
            {
                _stream.Write(frame);
                return OutboxResult.Written;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
            {
                _broken = true;
                return OutboxResult.Broken;
            }
        }
    }

    private void StartOrWakeWriter()
    {
        if (_thread is null)
        {
            // Not the caller's async-local state (trace, request context): the thread outlives every call.
            _thread = new Thread(WriteLoop) { IsBackground = true, Name = $"dspex-writer-{_name}" };
            _thread.UnsafeStart();
            return;
        }

        Monitor.Pulse(_lock);
    }

    private void WriteLoop()
    {
        lock (_lock)
        {
            while (!_closed && !_broken)
            {
                if (!WriteWhatFits())
                {
                    Monitor.Wait(_lock); // nothing queued: wait for the next frame that has to wait
                    continue;
                }

                // The pipe is full: wait for room without the lock, so senders keep queueing (never blocked).
                Monitor.Exit(_lock);
                try
                {
                    _pipe!.WaitWritable(PollMs);
                }
                catch (IOException)
                {
                    _broken = true;
                }
                finally
                {
                    Monitor.Enter(_lock);
                }
            }

            DropQueued();
        }
    }

    /// <summary>Writes queued frames until the pipe is full (true) or nothing is left (false). Holds the lock; never blocks.</summary>
    private bool WriteWhatFits()
    {
        while (true)
        {
            if (_current is null)
            {
                if (!_urgent.TryDequeue(out var next) && !_inOrder.TryDequeue(out next))
                {
                    return false;
                }

                _current = next;
                _currentOffset = 0;
            }

            var current = _current;
            int written;
            try
            {
                written = _pipe!.TryWrite(current.Bytes.AsSpan(_currentOffset));
            }
            catch (IOException)
            {
                _broken = true;
                return false;
            }

            _currentOffset += written;
            if (_currentOffset < current.Bytes.Length)
            {
                return true;
            }

            if (current.IsHeartbeat)
            {
                _heartbeatQueued = false;
            }

            _current = null;
        }
    }

    private void DropQueued()
    {
        _urgent.Clear();
        _inOrder.Clear();
        _current = null;
        _heartbeatQueued = false;
    }

    private sealed record Queued(byte[] Bytes, long CallId, bool IsHeartbeat);
}
