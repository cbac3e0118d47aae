using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;
using DSPex.Orleans.Workers.Supervision;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Python;

/// <summary>
/// One Python worker: the operating-system process (<see cref="BridgeProcess"/>) and the protocol over its pipes
/// (<see cref="Connection"/>). This class ties their lifetimes together: the handshake at start, and at the end,
/// when the pipe closes, the exit observed, every pending call failed at once (WorkerCrashed, or MalformedFrame
/// when the stream broke the protocol) and <see cref="ExitedEvent"/> raised.
/// </summary>
internal sealed partial class PythonProcess : IAsyncDisposable, ISupervisedWorker<PythonProcess>
{
    private readonly BridgeProcess _os;
    private readonly PythonProcessStartInfo _info;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopRequested;
    private long _residentBytes;

    private PythonProcess(BridgeProcess os, PythonProcessStartInfo info, ILogger logger)
    {
        _os = os;
        _info = info;
        _logger = logger;
        Connection = new BridgeConnection(os.Stdin, os.Stdout, info.MaxFrameBytes, info.WorkerId, os.Pid, logger);
    }

    public string WorkerId => _info.WorkerId;

    public ProcessMarker Marker => _info.Marker;

    public int Pid => _os.Pid;

    /// <summary>The bridge calls setsid(), so its group id is its pid once the handshake is done.</summary>
    public int ProcessGroupId => _os.ProcessGroupId;

    public DateTimeOffset StartedAt => _os.StartedAt;

    public IReadOnlyList<string> Commands { get; private set; } = [];

    /// <summary>Calls, credit, cancellation and heartbeats.</summary>
    public BridgeConnection Connection { get; }

    public bool HasExited => Connection.ClosedReason is not null;

    /// <summary>Why the process ended, once it has.</summary>
    public string? ExitReason => Connection.ClosedReason;

    /// <summary>True when the exit was asked for (stop), false for a crash.</summary>
    public bool StopRequested => _stopRequested;

    public Task Exited => _exited.Task;

    /// <summary>
    /// Completes when the OS process is gone, which may be before <see cref="Exited"/>: the exit is seen on the pipe
    /// closing, and a copy of the bridge its code forked (no exec) holds the pipe open until it is ended too.
    /// </summary>
    public Task ProcessEnded => _os.Ended;

    /// <summary>Raised once, on the reader thread, after the process has exited and pending requests have failed.</summary>
    public event Action<PythonProcess>? ExitedEvent;

    /// <summary>Resident memory at the last <see cref="SampleResidentBytes"/>; reading it costs no system call.</summary>
    public long ResidentBytes => Interlocked.Read(ref _residentBytes);

    /// <summary>Completes when the operating-system process has exited (its pipes may still be held open by what it left).</summary>
    public Task ProcessExited => _os.Exited;

    /// <summary>
    /// Starts the bridge and returns once its ready frame arrived; throws <see cref="BridgeStartException"/> otherwise
    /// (or <see cref="OperationCanceledException"/> when cancelled). Whatever the executable does (hangs, prints
    /// garbage, exits) the start ends within the start timeout, and a failed start leaves no process behind.
    /// </summary>
    public static async Task<PythonProcess> StartAsync(PythonProcessStartInfo info, ILogger logger, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var worker = new PythonProcess(BridgeProcess.Start(info, logger), info, logger);
        info.Spawned?.Invoke(worker);
        worker.Connection.Start(worker.OnConnectionClosed, worker.OnReaderFault);
        try
        {
            var ready = await worker.Connection.Ready.WaitAsync(info.StartTimeout, cancellationToken).ConfigureAwait(false);
            if (!BridgeProtocolVersion.IsCompatible(ready.ProtocolVersion))
            {
                // A bridge of another release (a dspex package or image out of step with the silo): refused before
                // any work, so no call meets frames it would misread.
                throw new BridgeStartException(
                    $"Python worker {info.WorkerId} (pid {worker.Pid}) cannot serve: {BridgeProtocolVersion.Mismatch(ready.ProtocolVersion)}.");
            }

            worker._os.AdoptProcessGroup(ready.ProcessGroupId, info.WorkerId);
            worker.Connection.MarkAlive();
            worker.Commands = ready.Commands;
            worker.SampleResidentBytes();
            return worker;
        }
        catch (Exception e)
        {
            await worker.AbandonStartAsync(e is OperationCanceledException ? "its start was cancelled" : "its start failed").ConfigureAwait(false);
            throw e switch
            {
                BridgeStartException or OperationCanceledException => e,
                TimeoutException => new BridgeStartException(
                    $"Python worker {info.WorkerId} (pid {worker.Pid}) sent no ready frame within {info.StartTimeout}. stderr:\n{worker._os.StderrText()}", e),
                _ => new BridgeStartException($"Python worker {info.WorkerId} failed to start: {e.Message}", e),
            };
        }
    }

    /// <summary>
    /// Ends a process whose start failed, and what it left behind: SIGKILL (to its group if it already leads one), its
    /// exit awaited, then this silo's children carrying its marker (what a wrapper script started: re-parented here,
    /// the silo being a child subreaper) ended, so its pipes close and its reader thread ends. Every wait is bounded.
    /// </summary>
    private async Task AbandonStartAsync(string reason)
    {
        _stopRequested = true;
        _os.KillStarting(reason);
        await _os.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var endedBy = LinuxProcess.UptimeTicks();
        var (marker, startTime) = (Marker.ToString(), _os.StartTime);
        await Task.Run(() => LeftBehindProcesses.End(marker, WorkerId, startTime, endedBy, _logger)).ConfigureAwait(false);
        await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <summary>Reads resident memory from /proc now; the health loop calls it, so stats and metrics never do.</summary>
    public long SampleResidentBytes()
    {
        var bytes = _os.ReadResidentBytes();
        Interlocked.Exchange(ref _residentBytes, bytes);
        return bytes;
    }

    /// <summary>Kills the process group at once (SIGKILL); the exit is reported as a crash.</summary>
    public void Kill() => _os.Kill(null);

    /// <summary>
    /// Kills the process group, telling requests in flight why. Returns false when a kill was already
    /// under way, so a caller that checks again before the exit is observed does not count it twice.
    /// </summary>
    public bool Kill(string? reason) => _os.Kill(reason);

    long ISupervisedWorker<PythonProcess>.LastHeartbeatAtMs => Connection.LastHeartbeatAtMs;

    void ISupervisedWorker<PythonProcess>.SendHeartbeat() => Connection.SendHeartbeat();

    long ISupervisedWorker<PythonProcess>.HeartbeatAnswers => Connection.HeartbeatAnswers;

    /// <summary>SIGTERM to the group and closed stdin, then SIGKILL after the grace period.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        _stopRequested = true;
        if (!HasExited)
        {
            _os.Signal(NativeSignals.SIGTERM);
            _os.CloseStdin();
            if (!await WaitForExitAsync(gracePeriod).ConfigureAwait(false))
            {
                _os.Signal(NativeSignals.SIGKILL);
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

    public string StderrTail() => _os.StderrText();

    /// <summary>
    /// Stops the process (as <see cref="StopAsync"/> with a 2 s grace period), then disposes the connection (already
    /// freed by its reader once the exit was seen; this covers an exit not seen in time) and the process handle.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        Connection.Dispose();
        _os.Dispose();
    }
}
