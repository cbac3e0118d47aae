using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Native;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Processes;

/// <summary>
/// One Python bridge process and the multiplexed request channel over its pipes. Replies are read by a
/// dedicated thread (a blocking read costs about half of an async pipe read per round trip), which completes
/// the pending request by id. When the process exits, every pending request fails at once with WorkerCrashed.
/// </summary>
public sealed class PythonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly PythonProcessStartInfo _info;
    private readonly ILogger _logger;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly BridgeFrameWriter _writer;
    private readonly object _writeLock = new();
    private readonly Dictionary<long, PendingCall> _pending = [];
    private readonly Dictionary<long, ChannelWriter<string>> _streams = [];
    private readonly TaskCompletionSource<BridgeFrame> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StderrTail _stderr = new(40);
    private Task _stderrDone = Task.CompletedTask;
    private long _nextId;
    private volatile string? _exitReason;
    private string? _killReason;
    private volatile bool _stopRequested;
    private DSPexErrorKind _exitKind = DSPexErrorKind.WorkerCrashed;
    private long _lastHeartbeat = Environment.TickCount64;

    private PythonProcess(Process process, PythonProcessStartInfo info, ILogger logger)
    {
        _process = process;
        _info = info;
        _logger = logger;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        _writer = new BridgeFrameWriter(info.MaxFrameBytes);
        Pid = process.Id;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string WorkerId => _info.WorkerId;

    public ProcessMarker Marker => _info.Marker;

    public int Pid { get; }

    /// <summary>The bridge calls setsid(), so its group id is its pid once the handshake is done.</summary>
    public int ProcessGroupId { get; private set; }

    public DateTimeOffset StartedAt { get; }

    public IReadOnlyList<string> Commands { get; private set; } = [];

    public bool HasExited => _exitReason is not null;

    /// <summary>Why the process ended, once it has.</summary>
    public string? ExitReason => _exitReason;

    /// <summary>True when the exit was asked for (stop), false for a crash.</summary>
    public bool StopRequested => _stopRequested;

    public Task Exited => _exited.Task;

    /// <summary>Raised once, on the reader thread, after the process has exited and pending requests have failed.</summary>
    public event Action<PythonProcess>? ExitedEvent;

    /// <summary>Starts the bridge and returns once its ready frame arrived; throws <see cref="WorkerStartException"/> otherwise.</summary>
    public static async Task<PythonProcess> StartAsync(PythonProcessStartInfo info, ILogger logger, CancellationToken cancellationToken = default)
    {
        var process = new Process { StartInfo = BuildStartInfo(info), EnableRaisingEvents = true };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new WorkerStartException($"Python worker {info.WorkerId} could not start '{info.PythonExecutable}': {e.Message}");
        }

        var worker = new PythonProcess(process, info, logger);
        worker.BeginReading();
        try
        {
            var ready = await worker._ready.Task.WaitAsync(info.StartTimeout, cancellationToken).ConfigureAwait(false);
            // A group is signalled only if /proc shows this very process leads it: what the worker reports is not trusted.
            if (NativeSignals.ProcessGroupOf(worker.Pid) is var actual && (ready.ProcessGroupId != worker.Pid || actual != worker.Pid))
            {
                throw new WorkerStartException(
                    $"Python worker {info.WorkerId} (pid {worker.Pid}) does not lead its own process group (it reported {ready.ProcessGroupId}, /proc shows {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); it was stopped by its pid alone");
            }

            worker.ProcessGroupId = ready.ProcessGroupId;
            Volatile.Write(ref worker._lastHeartbeat, Environment.TickCount64);
            worker.Commands = ready.Commands ?? [];
            return worker;
        }
        catch (Exception e)
        {
            await worker.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw e switch
            {
                WorkerStartException => e,
                TimeoutException => new WorkerStartException(
                    $"Python worker {info.WorkerId} (pid {worker.Pid}) sent no ready frame within {info.StartTimeout}. stderr:\n{worker._stderr.Text()}"),
                _ => new WorkerStartException($"Python worker {info.WorkerId} failed to start: {e.Message}"),
            };
        }
    }

    private static ProcessStartInfo BuildStartInfo(PythonProcessStartInfo info)
    {
        var start = new ProcessStartInfo(info.PythonExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = info.BridgeDirectory,
        };
        start.ArgumentList.Add(Path.Combine(info.BridgeDirectory, PythonProcessStartInfo.BridgeScriptName));
        start.ArgumentList.Add(ProcessMarker.Argument);
        start.ArgumentList.Add(info.Marker.ToString());
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--max-frame");
        start.ArgumentList.Add(info.MaxFrameBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--concurrency");
        start.ArgumentList.Add(info.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var adapter in info.AdapterModules)
        {
            start.ArgumentList.Add("--adapter");
            start.ArgumentList.Add(adapter);
        }

        // An explicit environment, not the silo's: the silo's may hold its own secrets (a Redis password, API key
        // hashes), and a worker runs adapter code on callers' input.
        start.Environment.Clear();
        foreach (var name in PythonProcessStartInfo.InheritedByDefault.Concat(info.InheritedVariables))
        {
            if (Environment.GetEnvironmentVariable(name) is { } inherited)
            {
                start.Environment[name] = inherited;
            }
        }

        foreach (var (name, value) in PythonProcessStartInfo.SingleThreadedNativeLibraries)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in info.Environment)
        {
            start.Environment[name] = value;
        }

        var pythonPath = new List<string>(info.AdapterPaths) { info.BridgeDirectory };
        if (info.Environment.TryGetValue("PYTHONPATH", out var configured) && !string.IsNullOrEmpty(configured))
        {
            pythonPath.Add(configured);
        }

        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, pythonPath);
        start.Environment[ProcessMarker.EnvironmentVariable] = info.Marker.ToString();
        return start;
    }

    private void BeginReading()
    {
        _stderrDone = StderrLineReader.ReadLinesAsync(_process.StandardError.BaseStream, line =>
        {
            _stderr.Add(line);
            _logger.LogInformation("[python {WorkerId} pid {Pid}] {Line}", WorkerId, Pid, line);
        });
        // Reply hooks run pool code (and grain calls) on this thread: it must not carry the async-local state
        // (trace activity, log scopes, request context) of whichever call happened to start the process.
        new Thread(ReadLoop) { IsBackground = true, Name = $"dspex-reader-{Pid}" }.UnsafeStart();
    }

    /// <summary>
    /// Sends a call and returns a task that completes when Python answers or the process dies. It never faults:
    /// every failure is a reply with a typed error. The id is what <see cref="Cancel"/> takes.
    /// </summary>
    public Task<BridgeReply> Send(string command, string argsJson, out long id) => Send(command, argsJson, null, null, out id);

    /// <summary>Sends a call in a session's context, or of one of its programs.</summary>
    public Task<BridgeReply> Send(string command, string argsJson, SessionCallContext? session, ProgramCall? program, out long id) =>
        Send(command, argsJson, session, program, null, null, out id);

    /// <summary>
    /// Sends a call whose generator items go to <paramref name="items"/>; Python sends at most
    /// <paramref name="window"/> items before more credit is granted with <see cref="GrantCredit"/>. The returned
    /// task completes with the final reply, after the items writer is completed.
    /// </summary>
    public Task<BridgeReply> SendStream(string command, string argsJson, SessionCallContext? session, ProgramCall? program, int window, ChannelWriter<string> items, out long id) =>
        Send(command, argsJson, session, program, window, items, out id);

    /// <summary>
    /// Sends a call as <see cref="Send(string, string, SessionCallContext?, ProgramCall?, out long)"/> does, and also
    /// hands its reply to <paramref name="onReply"/> on the thread that receives it (the reader thread, or the one
    /// that sees the process exit) before <paramref name="finished"/> completes, so an owner can reuse the worker
    /// without waiting for the caller's continuation. Returns false when the call was not sent: then
    /// <paramref name="finished"/> already holds why and <paramref name="onReply"/> is never called.
    /// </summary>
    public bool TrySend(string command, string argsJson, SessionCallContext? session, ProgramCall? program, Action<BridgeReply> onReply, out Task<BridgeReply> finished, out long id) =>
        TrySend(command, argsJson, session, program, null, null, onReply, out finished, out id);

    /// <summary>The stream form of <see cref="TrySend"/>; see <see cref="SendStream"/>.</summary>
    public bool TrySendStream(string command, string argsJson, SessionCallContext? session, ProgramCall? program, int window, ChannelWriter<string> items, Action<BridgeReply> onReply, out Task<BridgeReply> finished, out long id) =>
        TrySend(command, argsJson, session, program, window, items, onReply, out finished, out id);

    public void GrantCredit(long id, int count) => SendControl(id, "credit"u8, count);

    private Task<BridgeReply> Send(string command, string argsJson, SessionCallContext? session, ProgramCall? program, int? window, ChannelWriter<string>? items, out long id)
    {
        TrySend(command, argsJson, session, program, window, items, null, out var finished, out id);
        return finished;
    }

    private bool TrySend(string? command, string? argsJson, SessionCallContext? session, ProgramCall? program, int? window, ChannelWriter<string>? items, Action<BridgeReply>? onReply, out Task<BridgeReply> finished, out long id)
    {
        id = Interlocked.Increment(ref _nextId);
        var completion = new PendingCall(onReply);
        lock (_writeLock)
        {
            if (_exitReason is { } reason)
            {
                finished = Task.FromResult(BridgeReply.Fail(DSPexErrorKind.WorkerCrashed, reason) with { Delivered = false });
                return false;
            }

            ReadOnlyMemory<byte> frame;
            try
            {
                frame = _writer.Call(id, command, argsJson, session, program, window);
            }
            catch (InvalidCallInputException e)
            {
                finished = Task.FromResult(BridgeReply.Fail(DSPexErrorKind.InvalidArguments, e.Message));
                return false;
            }
            catch (FrameTooLargeException e)
            {
                finished = Task.FromResult(BridgeReply.Fail(DSPexErrorKind.FrameTooLarge, e.Message));
                return false;
            }
            catch (Exception e)
            {
                // Never an exception to the caller: it may be the reader thread handing this worker its next request.
                _logger.LogError(e, "A request to Python worker {WorkerId} (pid {Pid}) could not be encoded", WorkerId, Pid);
                _writer.ReleaseLargeBuffer();
                finished = Task.FromResult(BridgeReply.Fail(DSPexErrorKind.Internal,
                    $"the request could not be encoded ({e.GetType().Name})"));
                return false;
            }

            lock (_pending)
            {
                _pending[id] = completion;
                if (items is not null)
                {
                    _streams[id] = items;
                }
            }

            try
            {
                _stdin.Write(frame.Span);
                _writer.ReleaseLargeBuffer();
            }
            catch (IOException e)
            {
                // The process is gone and the request never reached it, so it is safe to run elsewhere.
                lock (_pending)
                {
                    _pending.Remove(id);
                    _streams.Remove(id);
                }

                items?.TryComplete();
                finished = Task.FromResult(new BridgeReply(null,
                    new ExecuteError(DSPexErrorKind.WorkerCrashed, $"Python worker {WorkerId} (pid {Pid}) is gone ({e.Message}); the request was not delivered"),
                    Delivered: false));
                return false;
            }
        }

        finished = completion.Task;
        return true;
    }

    /// <summary>Asks Python to stop a request (commands check dspex.cancelled()).</summary>
    public void Cancel(long id) => SendControl(id, "cancel"u8);

    private void SendControl(long id, ReadOnlySpan<byte> type, int? n = null)
    {
        lock (_writeLock)
        {
            if (_exitReason is not null)
            {
                return;
            }

            try
            {
                _stdin.Write(_writer.Control(id, type, n).Span);
            }
            catch (IOException)
            {
            }
        }
    }

    private void ReadLoop()
    {
        // Nothing may escape this thread: an unhandled exception here would end the silo process.
        try
        {
            var (kind, reason) = ReadFramesUntilClosed();
            _exitKind = kind;
            if (kind == DSPexErrorKind.MalformedFrame)
            {
                // The stream is out of step: nothing it sends can be trusted, so end the worker now.
                Kill(reason);
            }

            OnChannelClosed(reason);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The reply reader of Python worker {WorkerId} (pid {Pid}) failed; ending the worker", WorkerId, Pid);
            FailAfterReaderFault(e);
        }
    }

    /// <summary>Reads and dispatches frames until the pipe closes or a frame breaks the protocol.</summary>
    private (DSPexErrorKind Kind, string Reason) ReadFramesUntilClosed()
    {
        Span<byte> header = stackalloc byte[4];
        try
        {
            while (true)
            {
                _stdout.ReadExactly(header);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                if (length < 0 || length > _info.MaxFrameBytes + 1024)
                {
                    return (DSPexErrorKind.MalformedFrame,
                        $"it sent a frame of {length} bytes, past the limit of {_info.MaxFrameBytes}: the stream cannot be trusted");
                }

                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    _stdout.ReadExactly(buffer, 0, length);
                    Dispatch(BridgeFrame.Parse(buffer.AsSpan(0, length)));
                }
                catch (MalformedFrameException e)
                {
                    return (DSPexErrorKind.MalformedFrame, $"it sent a malformed frame ({e.Message}): the stream cannot be trusted");
                }
                catch (Exception e) when (e is not (IOException or ObjectDisposedException))
                {
                    // Whatever a frame makes fail is that worker's fault, never the silo's.
                    _logger.LogError(e, "A frame from Python worker {WorkerId} (pid {Pid}) could not be handled", WorkerId, Pid);
                    return (DSPexErrorKind.MalformedFrame, $"it sent a malformed frame ({e.GetType().Name}): the stream cannot be trusted");
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return (DSPexErrorKind.WorkerCrashed, "its output pipe closed");
        }
    }

    /// <summary>The last resort when closing the channel itself failed: end the process and fail what waits on it.</summary>
    private void FailAfterReaderFault(Exception fault)
    {
        var reason = $"Python worker {WorkerId} (pid {Pid}) was ended: its reply reader failed ({fault.GetType().Name})";
        try
        {
            Kill(reason);
            lock (_writeLock)
            {
                _exitReason ??= reason;
            }

            KeyValuePair<long, PendingCall>[] orphaned;
            lock (_pending)
            {
                orphaned = [.. _pending];
                _pending.Clear();
                foreach (var stream in _streams.Values)
                {
                    stream.TryComplete();
                }

                _streams.Clear();
            }

            foreach (var (_, completion) in orphaned)
            {
                completion.Complete(BridgeReply.Fail(DSPexErrorKind.MalformedFrame, reason), _logger);
            }

            _ready.TrySetException(new WorkerStartException(reason));
            if (_exited.TrySetResult())
            {
                // Not raised yet: the owner still has to learn the worker is gone, to replace it.
                ExitedEvent?.Invoke(this);
            }
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "Python worker {WorkerId} (pid {Pid}) could not be failed cleanly", WorkerId, Pid);
        }
    }

    private void Dispatch(in BridgeFrame frame)
    {
        switch (frame.Type)
        {
            case BridgeFrameType.Item:
                ChannelWriter<string>? stream;
                lock (_pending)
                {
                    _streams.TryGetValue(frame.Id, out stream);
                }

                // Python sends only against credit, so the bounded channel always has room.
                stream?.TryWrite(frame.ResultJson!);
                break;
            case BridgeFrameType.Result:
            case BridgeFrameType.Error:
                PendingCall? completion;
                lock (_pending)
                {
                    _pending.Remove(frame.Id, out completion);
                    _streams.Remove(frame.Id, out stream);
                }

                stream?.TryComplete();
                completion?.Complete(new BridgeReply(frame.ResultJson, frame.Error, frame.SessionJson), _logger);
                break;
            case BridgeFrameType.Ready:
                _ready.TrySetResult(frame);
                break;
            case BridgeFrameType.Fatal:
                _ready.TrySetException(new WorkerStartException($"Python worker {WorkerId} failed to start: {frame.Message}"));
                break;
            case BridgeFrameType.Heartbeat:
                Volatile.Write(ref _lastHeartbeat, Environment.TickCount64);
                break;
            case BridgeFrameType.ProtocolError:
                _logger.LogWarning("Python worker {WorkerId} (pid {Pid}) rejected a frame: {Message}", WorkerId, Pid, frame.Message);
                break;
        }
    }

    private void OnChannelClosed(string channelReason)
    {
        if (!_process.WaitForExit(2000))
        {
            // The pipe is unusable but the process lives on: it cannot serve again, so end it.
            Signal(NativeSignals.SIGKILL);
            _process.WaitForExit(5000);
        }

        // Its last words explain the exit; a grandchild holding stderr open must not hold this up for long.
        ((IAsyncResult)_stderrDone).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        var exit = _process.HasExited ? NativeSignals.Describe(_process.ExitCode) : "no exit status";
        var stderr = _stderr.Text();
        var reason = $"Python worker {WorkerId} (pid {Pid}) exited ({exit}; {Volatile.Read(ref _killReason) ?? channelReason})";
        // Stderr may hold what one caller's request printed (its secrets too): it goes to the log, and to a caller only
        // when that caller's request was the one running, never to another caller.
        _logger.LogWarning("{Reason}. Last stderr lines:\n{Stderr}", reason, stderr);
        lock (_writeLock)
        {
            _exitReason = reason + ".";
        }

        // Whatever user code spawned into the group goes with the worker.
        if (ProcessGroupId > 1)
        {
            NativeSignals.SendToGroup(ProcessGroupId, NativeSignals.SIGKILL);
        }

        KeyValuePair<long, PendingCall>[] orphaned;
        ChannelWriter<string>[] streams;
        lock (_pending)
        {
            orphaned = [.. _pending];
            _pending.Clear();
            streams = [.. _streams.Values];
            _streams.Clear();
        }

        foreach (var stream in streams)
        {
            stream.TryComplete();
        }

        var toCallers = orphaned.Length == 1 && stderr.Length > 0
            ? $"{reason}. Last stderr lines:\n{stderr}"
            : $"{reason}; its stderr is in the silo log";
        foreach (var (_, completion) in orphaned)
        {
            completion.Complete(BridgeReply.Fail(_exitKind, toCallers), _logger);
        }

        _ready.TrySetException(new WorkerStartException(reason));
        if (!_stopRequested)
        {
            _logger.LogWarning("{Reason}", reason);
        }

        _exited.TrySetResult();
        ExitedEvent?.Invoke(this);
    }

    private void Signal(int signal)
    {
        if (ProcessGroupId > 1)
        {
            NativeSignals.SendToGroup(ProcessGroupId, signal);
        }

        NativeSignals.SendToProcess(Pid, signal);
    }

    /// <summary>Kills the process group at once (SIGKILL); the exit is reported as a crash.</summary>
    public void Kill() => Signal(NativeSignals.SIGKILL);

    /// <summary>
    /// Kills the process group, telling requests in flight why. Returns false when a kill was already
    /// under way, so a caller that checks again before the exit is observed does not count it twice.
    /// </summary>
    public bool Kill(string reason)
    {
        var first = Interlocked.CompareExchange(ref _killReason, reason, null) is null;
        Signal(NativeSignals.SIGKILL);
        return first;
    }

    /// <summary>Asks the bridge for a heartbeat; its reader thread answers even while a command runs.</summary>
    public void SendHeartbeat() => SendControl(Interlocked.Increment(ref _nextId), "heartbeat"u8);

    /// <summary>Time since the last heartbeat answer (or the handshake).</summary>
    public TimeSpan SinceLastHeartbeat => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastHeartbeat));

    /// <summary>SIGTERM to the group and closed stdin, then SIGKILL after the grace period.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        _stopRequested = true;
        if (!HasExited)
        {
            Signal(NativeSignals.SIGTERM);
            try
            {
                _stdin.Close();
            }
            catch (IOException)
            {
            }

            if (!await WaitForExitAsync(gracePeriod).ConfigureAwait(false))
            {
                Signal(NativeSignals.SIGKILL);
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Resident memory of the Python process, from /proc; 0 once it has gone.</summary>
    public long ResidentBytes()
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{Pid}/statm");
            var fields = statm.Split(' ');
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public string StderrTail() => _stderr.Text();

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        _process.Dispose();
    }
}

public sealed class WorkerStartException(string message) : Exception(message);
