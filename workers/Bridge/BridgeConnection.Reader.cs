using System.Buffers;
using System.Buffers.Binary;
using System.Threading.Channels;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>The reader thread: frames in, replies and stream items dispatched to their pending calls.</summary>
internal sealed partial class BridgeConnection
{
    /// <summary>
    /// Starts the reader thread. When the pipe closes, or a frame breaks the protocol (the stream is then out of
    /// step), it calls <paramref name="onClosed"/> with the error kind pending calls fail with and why. If that
    /// throws, <paramref name="onFault"/> is the last resort. Nothing escapes the thread.
    /// </summary>
    public void Start(Action<CallErrorKind, string> onClosed, Action<Exception> onFault)
    {
        // Reply hooks run pool code (and grain calls) on this thread: it must not carry the async-local state
        // (trace activity, log scopes, request context) of whichever call happened to start the process.
        new Thread(() => ReadLoop(onClosed, onFault)) { IsBackground = true, Name = $"dspex-reader-{_pid}" }.UnsafeStart();
    }

    private void ReadLoop(Action<CallErrorKind, string> onClosed, Action<Exception> onFault)
    {
        // An unhandled exception here would end the silo process.
        try
        {
            var (kind, reason) = ReadFramesUntilClosed();
            onClosed(kind, reason);
        }
        catch (Exception e)
        {
            Log.ReaderFailed(_logger, e, _workerId, _pid);
            try
            {
                onFault(e);
            }
            catch (Exception last)
            {
                Log.CouldNotFailCleanly(_logger, last, _workerId, _pid);
            }
        }
        finally
        {
            // Nothing more comes from the worker: free what the connection owns (closing it first if the owner's
            // handler did not). Sends still racing this get the closed connection's answer (see Dispose).
            DisposeAtReaderEnd();
        }
    }

    private void DisposeAtReaderEnd()
    {
        try
        {
            Dispose();
        }
        catch (Exception e)
        {
            // A pending call's hook runs here when the owner's handler did not close the connection; nothing may escape.
            Log.CouldNotFailCleanly(_logger, e, _workerId, _pid);
        }
    }

    /// <summary>Reads and dispatches frames until the pipe closes or a frame breaks the protocol.</summary>
    private (CallErrorKind Kind, string Reason) ReadFramesUntilClosed()
    {
        Span<byte> header = stackalloc byte[4];
        try
        {
            while (true)
            {
                _stdout.ReadExactly(header);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                if (length < 0 || length > _maxFrameBytes + ProtocolLimits.EnvelopeAllowanceBytes)
                {
                    return (CallErrorKind.MalformedFrame,
                        $"it sent a frame of {length} bytes, past the limit of {_maxFrameBytes}: the stream cannot be trusted");
                }

                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    _stdout.ReadExactly(buffer, 0, length);
                    Dispatch(BridgeFrame.Parse(buffer.AsSpan(0, length)));
                }
                catch (FrameFormatException e)
                {
                    return (CallErrorKind.MalformedFrame, $"it sent a malformed frame ({e.Message}): the stream cannot be trusted");
                }
                catch (Exception e) when (e is not (IOException or ObjectDisposedException))
                {
                    // Whatever a frame makes fail is that worker's fault, never the silo's.
                    Log.FrameNotHandled(_logger, e, _workerId, _pid);
                    return (CallErrorKind.MalformedFrame, $"it sent a malformed frame ({e.GetType().Name}): the stream cannot be trusted");
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return (CallErrorKind.WorkerCrashed, "its output pipe closed");
        }
    }

    private void Dispatch(BridgeFrame frame)
    {
        switch (frame)
        {
            case ItemFrame item:
                ChannelWriter<ItemFrame>? stream;
                lock (_pending)
                {
                    _streams.TryGetValue(item.Id, out stream);
                }

                // Python sends only against credit, so the bounded channel always has room.
                stream?.TryWrite(item);
                break;
            case ResultFrame result:
                Complete(result.Id, new BridgeReply(result.ResultJson, null, result.SessionJson, ResultParts: result.Parts));
                break;
            case ErrorFrame error:
                Complete(error.Id, new BridgeReply(null, error.Error, null));
                break;
            case ReadyFrame ready:
                _ready.TrySetResult(ready);
                break;
            case FatalFrame fatal:
                _ready.TrySetException(new BridgeStartException($"Python worker {_workerId} failed to start: {fatal.Message}"));
                break;
            case ChunkCreditFrame credit:
                GrantChunks(credit);
                break;
            case HeartbeatFrame:
                MarkAlive();
                Interlocked.Increment(ref _heartbeatAnswers);
                break;
            case ProtocolErrorFrame rejected:
                Log.FrameRejected(_logger, _workerId, _pid, rejected.Message);
                break;
            case ToolCallFrame toolCall:
                StartToolCall(toolCall.Id, toolCall.ToolId, toolCall);
                break;
            case ListToolsFrame listTools:
                StartToolCall(listTools.Id, listTools.ToolId, null);
                break;
        }
    }

    /// <summary>Ends call <paramref name="id"/> (and its stream, if it streams) with its reply.</summary>
    private void Complete(long id, BridgeReply reply)
    {
        PendingCall? completion;
        ChannelWriter<ItemFrame>? stream;
        lock (_pending)
        {
            _pending.Remove(id, out completion);
            _streams.Remove(id, out stream);
            EndUploadLocked(id);
        }

        stream?.TryComplete();
        completion?.Complete(reply, _logger);
    }
}
