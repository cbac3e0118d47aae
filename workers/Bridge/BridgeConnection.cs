using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The multiplexed protocol over a bridge's pipes: calls written as frames, their pending replies and stream items
/// by id, credit, cancellation and heartbeats. Replies are read by a dedicated thread (a blocking read costs about
/// half of an async pipe read per round trip), which completes the pending call by id. Once closed, every pending
/// call has failed and a new one is refused as not delivered. It owns its outbox, deadline timer and frame writer,
/// and frees them when its reader ends or its owner disposes it, whichever comes first (<see cref="Dispose"/>).
/// </summary>
internal sealed partial class BridgeConnection : IDisposable
{
    private readonly FrameOutbox _outbox;
    private volatile bool _writeBroken;
    private readonly Stream _stdout;
    private readonly int _maxFrameBytes;
    private readonly string _workerId;
    private readonly int _pid;
    private readonly ILogger _logger;
    private readonly BridgeFrameWriter _writer;
    private readonly object _writeLock = new(); // guards the encoder and the closed state; never held across a blocking write
    private readonly Dictionary<long, PendingCall> _pending = [];
    private readonly Dictionary<long, ChannelWriter<ItemFrame>> _streams = [];
    private readonly HashSet<long> _toolCalls = []; // tool-call ids in flight, guarded by _pending
    private readonly TaskCompletionSource<ReadyFrame> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private long _callsSent; // written under _writeLock
    private volatile string? _closedReason;
    private long _lastHeartbeat = Environment.TickCount64;
    private long _heartbeatAnswers;

    public BridgeConnection(Stream stdin, Stream stdout, int maxFrameBytes, string workerId, int pid, ILogger logger)
    {
        _outbox = new FrameOutbox(stdin, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _stdout = stdout;
        _maxFrameBytes = maxFrameBytes;
        _workerId = workerId;
        _pid = pid;
        _logger = logger;
        _writer = new BridgeFrameWriter(maxFrameBytes);
    }

    /// <summary>The bridge's ready frame; faults with <see cref="BridgeStartException"/> when it reported a fatal start or closed first.</summary>
    public Task<ReadyFrame> Ready => _ready.Task;

    /// <summary>A write to the worker failed (its pipe broke): no call can reach it, though its exit may not be seen yet.</summary>
    public bool WriteBroken => _writeBroken || _outbox.Broken;

    /// <summary>Why the connection closed (ending in a full stop), once it has.</summary>
    public string? ClosedReason => _closedReason;

    /// <summary>Calls this connection has sent to the process (delivered or not), over its whole life.</summary>
    public long CallsSent => Volatile.Read(ref _callsSent);

    /// <summary>Time since the last heartbeat answer (or the handshake).</summary>
    public TimeSpan SinceLastHeartbeat => TimeSpan.FromMilliseconds(Environment.TickCount64 - LastHeartbeatAtMs);

    /// <summary>When the last heartbeat answer (or the handshake) arrived, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    public long LastHeartbeatAtMs => Volatile.Read(ref _lastHeartbeat);

    /// <summary>Heartbeats the bridge has answered.</summary>
    public long HeartbeatAnswers => Volatile.Read(ref _heartbeatAnswers);

    /// <summary>
    /// Sends a call. It never throws and its task never faults: every failure is a reply with a typed error. When
    /// given, <paramref name="onReply"/> receives the reply on the thread that receives it (the reader thread, or
    /// the one that sees the process exit) before the task completes, so an owner can reuse the worker without
    /// waiting for the caller's continuation; it is not called for a call that was not sent.
    /// </summary>
    public SentCall Send(in BridgeCall call, Action<BridgeReply>? onReply = null)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var id = Interlocked.Increment(ref _nextId);
        var completion = new PendingCall(onReply, call.Tools)
        {
            DeadlineAt = call.Deadline is { } deadline ? Workers.Timing.DeadlineTimer.DeadlineIn(deadline) : long.MaxValue,
        };
        lock (_writeLock)
        {
            if (_closedReason is { } reason)
            {
                return NotSent(BridgeReply.Fail(CallErrorKind.WorkerCrashed, reason) with { Delivered = false });
            }

            ReadOnlyMemory<byte> frame;
            try
            {
                frame = _writer.Call(id, call.Command, call.ArgsJson, call.Session, call.Program, call.StreamWindow, call.Trace, call.Parts, call.UploadWindow);
            }
            catch (InvalidCallInputException e)
            {
                return NotSent(BridgeReply.Fail(CallErrorKind.InvalidArguments, e.Message));
            }
            catch (FrameOverLimitException e)
            {
                return NotSent(BridgeReply.Fail(CallErrorKind.FrameTooLarge, e.Message));
            }
            catch (Exception e)
            {
                // Never an exception to the caller: it may be the reader thread handing this worker its next request.
                Log.EncodeFailed(_logger, e, _workerId, _pid);
                _writer.ReleaseLargeBuffer();
                return NotSent(BridgeReply.Fail(CallErrorKind.Internal, $"the request could not be encoded ({e.GetType().Name})"));
            }

            Volatile.Write(ref _callsSent, _callsSent + 1);
            lock (_pending)
            {
                _pending[id] = completion;
                if (call.StreamItems is { } items)
                {
                    _streams[id] = items;
                }
            }

            TrackDeadline(completion.DeadlineAt);

            var written = _outbox.Submit(frame.Span, FramePriority.InOrder, callId: id);
            _writer.ReleaseLargeBuffer();
            if (written == OutboxResult.Broken)
            {
                // The process is gone and the request never reached it, so it is safe to run elsewhere. Until the
                // reader sees the exit, WriteBroken keeps the pool from handing this worker the retry (which would
                // fail here again, at once, on the same thread: a loop as deep as the exit is slow to be seen).
                _writeBroken = true;
                lock (_pending)
                {
                    _pending.Remove(id);
                    _streams.Remove(id);
                }

                call.StreamItems?.TryComplete();
                return NotSent(new BridgeReply(null,
                    new CallError(CallErrorKind.WorkerCrashed, $"Python worker {_workerId} (pid {_pid}) is gone (its stdin pipe is closed); the request was not delivered"),
                    Delivered: false));
            }
        }

        return new SentCall(completion.Task, id, true, startedAt, completion);

        SentCall NotSent(BridgeReply why) => new(Task.FromResult(why), id, false, startedAt);
    }

    /// <summary>
    /// Asks Python to stop a call (commands check dspex.cancelled()) and ends its tool calls, which answer Python
    /// with <paramref name="toolKind"/> (Cancelled, or DeadlineExceeded when its deadline passed).
    /// </summary>
    public void Cancel(long id, string toolKind = ToolFaultKinds.Cancelled)
    {
        PendingCall? pending;
        lock (_pending)
        {
            _pending.TryGetValue(id, out pending);
        }

        pending?.Tools?.End(toolKind);
        SendControl(id, ControlFrame.Cancel, FramePriority.Urgent);
    }

    /// <summary>Lets Python send <paramref name="count"/> more items of a stream call.</summary>
    public void GrantCredit(long id, int count) => SendControl(id, ControlFrame.Credit, FramePriority.InOrder, count);

    /// <summary>
    /// Asks the bridge for a heartbeat; its reader thread answers even while a command runs. It passes frames waiting
    /// for room in the pipe, and one still waiting is not repeated: a worker that does not read its stdin gets none.
    /// </summary>
    public void SendHeartbeat() => SendControl(Interlocked.Increment(ref _nextId), ControlFrame.Heartbeat, FramePriority.Heartbeat);

    /// <summary>Counts the handshake as the first heartbeat.</summary>
    public void MarkAlive() => Volatile.Write(ref _lastHeartbeat, Environment.TickCount64);

    private enum ControlFrame
    {
        Cancel,
        Credit,
        Heartbeat,
    }

    private void SendControl(long id, ControlFrame type, FramePriority priority, int n = 0)
    {
        lock (_writeLock)
        {
            if (_closedReason is not null)
            {
                return;
            }

            // A cancel passes queued frames, except its own call's frame when that still waits (it must arrive first).
            var forCall = priority == FramePriority.Urgent ? id : 0;
            var frame = type switch
            {
                ControlFrame.Cancel => _writer.Cancel(id),
                ControlFrame.Credit => _writer.Credit(id, n),
                _ => _writer.Heartbeat(id),
            };
            if (_outbox.Submit(frame.Span, priority, forCallId: forCall) == OutboxResult.Broken)
            {
                _writeBroken = true;
            }
        }
    }

    /// <summary>
    /// Refuses new calls from now on, and fails every pending call and stream with <paramref name="kind"/>; the
    /// message a caller gets depends on how many calls were in flight (see <paramref name="messageFor"/>).
    /// </summary>
    public void Close(string reason, CallErrorKind kind, Func<int, string> messageFor, bool keepEarlierReason = false)
    {
        lock (_writeLock)
        {
            _closedReason = keepEarlierReason ? _closedReason ?? reason : reason;
        }

        _outbox.Dispose();

        StopDeadlines();
        KeyValuePair<long, PendingCall>[] orphaned;
        ChannelWriter<ItemFrame>[] streams;
        lock (_pending)
        {
            orphaned = [.. _pending];
            _pending.Clear();
            streams = [.. _streams.Values];
            _streams.Clear();
            EndUploadsLocked();
        }

        foreach (var stream in streams)
        {
            stream.TryComplete();
        }

        var message = messageFor(orphaned.Length);
        foreach (var (_, completion) in orphaned)
        {
            completion.Complete(BridgeReply.Fail(kind, message), _logger);
        }
    }

    /// <summary>
    /// Closes the connection unless it has closed already (pending calls fail as WorkerCrashed; every send from now on
    /// is refused as not delivered, as after the worker's exit), then frees the outbox, the deadline timer and the frame
    /// writer. The reader thread calls it when it ends, after its owner was told; an owner may call it at any time, from
    /// any thread, more than once. A send racing it gets the closed connection's typed answer: the writer is disposed
    /// under the write lock once the closed state is set, and every use of the writer checks that state under the same
    /// lock first, so no send ever meets a disposed writer.
    /// </summary>
    public void Dispose()
    {
        Close($"Python worker {_workerId} (pid {_pid}): its connection was closed.", CallErrorKind.WorkerCrashed,
            _ => $"Python worker {_workerId} (pid {_pid}): its connection was closed before the reply came", keepEarlierReason: true);
        lock (_writeLock)
        {
            _writer.Dispose();
        }
    }

    /// <summary>The handshake can no longer succeed.</summary>
    public void FailReady(string reason) => _ready.TrySetException(new BridgeStartException(reason));
}
