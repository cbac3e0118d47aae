using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.Processes;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Workers.Python;

/// <summary>
/// The bridge as an operating-system process: spawned from its start info, signalled by pid and process group,
/// watched until it exits, its stderr kept (bounded) and logged. It knows nothing of the protocol on its pipes;
/// that is <see cref="BridgeConnection"/>.
/// </summary>
internal sealed partial class BridgeProcess : IDisposable
{
    private const int StderrLinesKept = 40;

    private readonly Process _process;
    private readonly StderrTail _stderr = new(StderrLinesKept);
    private readonly Task _stderrDone;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _killReason;

    private BridgeProcess(Process process, PythonProcessStartInfo info, ILogger logger)
    {
        _process = process;
        Pid = process.Id;
        StartedAt = DateTimeOffset.UtcNow;
        StartTime = LinuxProcess.Read(Pid)?.StartTime ?? 0;
        Exited = process.WaitForExitAsync();
        Stdin = process.StandardInput.BaseStream;
        Stdout = process.StandardOutput.BaseStream;
        process.Exited += (_, _) => _ended.TrySetResult();
        var (workerId, pid, level) = (info.WorkerId, Pid, info.StderrLogLevel);
        // Owned by this process: it ends when the pipe closes, and the exit waits (briefly) for its last lines.
        _stderrDone = StderrLineReader.ReadLinesAsync(process.StandardError.BaseStream, line =>
        {
            _stderr.Add(line);
            Log.StderrLine(logger, level, workerId, pid, line);
        });
    }

    public int Pid { get; }

    /// <summary>
    /// Completes when the operating system reports the process gone, which can be before its pipes close: a process
    /// its code forked without exec holds them open.
    /// </summary>
    public Task Ended => _ended.Task;

    /// <summary>The group the bridge leads (it calls setsid()); 0 until <see cref="AdoptProcessGroup"/> checked it.</summary>
    public int ProcessGroupId { get; private set; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Its start time as /proc gives it (field 22 of stat), read at spawn; 0 if it had already gone.</summary>
    public ulong StartTime { get; }

    /// <summary>Completes when the operating-system process has exited, whether or not its pipes have closed.</summary>
    public Task Exited { get; }

    public Stream Stdin { get; }

    public Stream Stdout { get; }

    /// <summary>Why the process was killed, when a reason was given.</summary>
    public string? KillReason => Volatile.Read(ref _killReason);

    /// <summary>Spawns the bridge; throws <see cref="BridgeStartException"/> when the executable cannot run.</summary>
    public static BridgeProcess Start(PythonProcessStartInfo info, ILogger logger)
    {
        var process = new Process { StartInfo = info.ToProcessStartInfo(), EnableRaisingEvents = true };
        try
        {
            DotnetChildren.Start(process);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new BridgeStartException($"Python worker {info.WorkerId} could not start '{info.PythonExecutable}': {e.Message}", e);
        }

        return new BridgeProcess(process, info, logger);
    }

    /// <summary>
    /// Takes the group the worker reports as the one to signal, but only when /proc shows this very process leads
    /// it: what the worker says is not trusted. Throws <see cref="BridgeStartException"/> otherwise.
    /// </summary>
    public void AdoptProcessGroup(int reported, string workerId)
    {
        var actual = NativeSignals.ProcessGroupOf(Pid);
        if (reported != Pid || actual != Pid)
        {
            throw new BridgeStartException(
                $"Python worker {workerId} (pid {Pid}) does not lead its own process group (it reported {reported}, /proc shows {actual?.ToString(CultureInfo.InvariantCulture) ?? "none"}); it was stopped by its pid alone");
        }

        ProcessGroupId = reported;
    }

    /// <summary>Sends a signal to the group (once adopted) and to the process itself.</summary>
    public void Signal(int signal)
    {
        if (ProcessGroupId > 1)
        {
            NativeSignals.SendToGroup(ProcessGroupId, signal);
        }

        NativeSignals.SendToProcess(Pid, signal);
    }

    /// <summary>SIGKILL, remembering the first reason given; false when a kill with a reason was already under way.</summary>
    public bool Kill(string? reason)
    {
        var first = reason is not null && Interlocked.CompareExchange(ref _killReason, reason, null) is null;
        Signal(NativeSignals.SIGKILL);
        return first;
    }

    /// <summary>
    /// SIGKILL for a process whose start failed, before its group was adopted: to its group only when /proc shows it
    /// leads that group (the bridge got as far as setsid()), never to the group it was born in (the silo's).
    /// </summary>
    public void KillStarting(string reason)
    {
        Interlocked.CompareExchange(ref _killReason, reason, null);
        if (ProcessGroupId == 0 && NativeSignals.ProcessGroupOf(Pid) == Pid)
        {
            NativeSignals.SendToGroup(Pid, NativeSignals.SIGKILL);
        }

        Signal(NativeSignals.SIGKILL);
    }

    /// <summary>Whatever user code spawned into the group goes with the worker.</summary>
    public void KillGroup()
    {
        if (ProcessGroupId > 1)
        {
            NativeSignals.SendToGroup(ProcessGroupId, NativeSignals.SIGKILL);
        }
    }

    public void CloseStdin()
    {
        try
        {
            Stdin.Close();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Blocks until the process has exited (killing it if its pipe closed but it lives on) and describes the exit.
    /// Runs on the connection's reader thread once its pipe closed.
    /// </summary>
    public string WaitForExitAfterPipeClosed()
    {
        if (!_process.WaitForExit(2000))
        {
            // The pipe is unusable but the process lives on: it cannot serve again, so end it.
            Signal(NativeSignals.SIGKILL);
            _process.WaitForExit(5000);
        }

        // Its last words explain the exit; a grandchild holding stderr open must not hold this up for long.
        ((IAsyncResult)_stderrDone).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        return _process.HasExited ? NativeSignals.Describe(_process.ExitCode) : "no exit status";
    }

    /// <summary>The last lines of stderr.</summary>
    public string StderrText() => _stderr.Text();

    /// <summary>Resident memory now, from /proc; 0 once the process has gone.</summary>
    public long ReadResidentBytes() => ResidentMemory.Of(Pid);

    public void Dispose() => _process.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, Message = "[python {WorkerId} pid {Pid}] {Line}")]
        public static partial void StderrLine(ILogger logger, LogLevel level, string workerId, int pid, string line);
    }
}
