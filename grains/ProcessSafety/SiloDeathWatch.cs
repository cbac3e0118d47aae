using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Native;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Ends this silo's workers when the silo dies, however it dies, even when a worker is stuck in C holding the GIL
/// (then neither its stdin reader nor its watchdog thread can run). A small process (dspex/deathwatch.py, started
/// once per silo) holds a pipe from this silo; every worker is registered on it (pid and start time) as soon as it
/// is spawned and unregistered when it exits. The kernel closes the pipe when this process dies, and at that EOF the
/// watcher SIGKILLs every registered worker, with its process group when the worker leads it. Why this and not
/// PR_SET_PDEATHSIG: docs/process-safety.md.
/// </summary>
internal sealed partial class SiloDeathWatch : IAsyncDisposable
{
    /// <summary>The watcher's file, under the bridge directory (it imports nothing of the dspex package).</summary>
    public static readonly string ScriptPath = Path.Combine("dspex", "deathwatch.py");

    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private readonly object _lock = new();
    private readonly Dictionary<int, ulong> _watched = [];
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger<SiloDeathWatch> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private (string Python, string Script)? _command;
    private Process? _process;
    private Task _writer = Task.CompletedTask;

    public SiloDeathWatch(SiloPools pools, ILogger<SiloDeathWatch> logger)
    {
        _logger = logger;
        pools.ProcessSpawned += Watch;
    }

    /// <summary>The watcher's pid while it runs (tests end it to leave orphans for a sweep to find).</summary>
    public int? Pid
    {
        get
        {
            lock (_lock)
            {
                return _process is { HasExited: false } process ? process.Id : null;
            }
        }
    }

    /// <summary>Starts the watcher with this interpreter; registrations made before it started are sent first.</summary>
    public void Start(string python, string bridgeDirectory)
    {
        var script = Path.Combine(bridgeDirectory, ScriptPath);
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"the silo's death watch {script} is missing (DSPex:Pool:BridgeDirectory is an older bridge?)", script);
        }

        lock (_lock)
        {
            _command = (python, script);
            Spawn();
        }

        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Registers a worker the moment it is spawned, and unregisters it when it exits.</summary>
    private void Watch(PythonProcess worker)
    {
        try
        {
            if (LinuxProcess.Read(worker.Pid) is not { HasExited: false } process)
            {
                return;
            }

            var (pid, startTime) = (worker.Pid, process.StartTime);
            lock (_lock)
            {
                _watched[pid] = startTime;
            }

            _lines.Writer.TryWrite(Line('+', pid, startTime));
            worker.ProcessExited.ContinueWith(_ => Forget(pid, startTime), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (Exception e)
        {
            // Never fails a worker's start: without the watch it still ends by its own watchdog in most cases.
            Log.WatchFailed(_logger, e, worker.WorkerId);
        }
    }

    private void Forget(int pid, ulong startTime)
    {
        lock (_lock)
        {
            if (_watched.TryGetValue(pid, out var current) && current == startTime)
            {
                _watched.Remove(pid);
            }
        }

        _lines.Writer.TryWrite(Line('-', pid, startTime));
    }

    private static string Line(char operation, int pid, ulong startTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{operation} {pid} {startTime}\n");

    /// <summary>
    /// The only writer of the watcher's pipe, so no grain turn or reader thread ever blocks on it. A watcher that
    /// ended while the silo lives is started again and told every live registration.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(_stopping.Token))
            {
                while (true)
                {
                    Process? process;
                    lock (_lock)
                    {
                        process = _process;
                    }

                    try
                    {
                        if (process is null || process.HasExited)
                        {
                            throw new IOException("the death watch is not running");
                        }

                        await process.StandardInput.WriteAsync(line.AsMemory(), _stopping.Token);
                        await process.StandardInput.FlushAsync(_stopping.Token);
                        break;
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException)
                    {
                        Log.Restarting(_logger, e.Message);
                        await Task.Delay(RestartDelay, _stopping.Token);
                        await RestartAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.WriterFailed(_logger, e);
        }
    }

    /// <summary>A new watcher, told every live registration (the line in hand is among them or an unregistration).</summary>
    private async Task RestartAsync()
    {
        List<string> live;
        Process process;
        try
        {
            lock (_lock)
            {
                Spawn();
                process = _process!;
                live = [.. _watched.Select(w => Line('+', w.Key, w.Value))];
            }

            foreach (var line in live)
            {
                await process.StandardInput.WriteAsync(line.AsMemory(), _stopping.Token);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Tried again with the next line written (the loop above does not give up on a line).
            Log.Restarting(_logger, e.Message);
        }
    }

    /// <summary>Starts (or restarts) the watcher process; called under the lock.</summary>
    private void Spawn()
    {
        var (python, script) = _command!.Value;
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Isolated (-I: no PYTHON* variables, no user site, no script folder on the path) and with none of the silo's
        // environment: it runs nothing but the standard library.
        start.ArgumentList.Add("-I");
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(script);
        start.Environment.Clear();
        _process?.Dispose();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Output(e.Data);
        process.ErrorDataReceived += (_, e) => Output(e.Data);
        // A watcher that ends while the silo lives is found by the next write, so write one that it ignores.
        process.Exited += (_, _) => _lines.Writer.TryWrite("\n");
        DotnetChildren.Start(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Log.Started(_logger, process.Id, script);
    }

    private void Output(string? line)
    {
        if (line is not null)
        {
            Log.Said(_logger, line);
        }
    }

    /// <summary>
    /// At a clean stop, once the pools have stopped (every worker unregistered): closes the pipe, so the watcher
    /// exits having killed nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stopping.CancelAsync();
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            NativeSignals.SendToProcess(process.Id, NativeSignals.SIGKILL);
        }
        finally
        {
            process.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1211, Level = LogLevel.Information,
            Message = "Death watch pid {Pid} started ({Script}): it ends this silo's workers if the silo dies")]
        public static partial void Started(ILogger logger, int pid, string script);

        [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "The death watch is not running ({Reason}); starting it again")]
        public static partial void Restarting(ILogger logger, string reason);

        [LoggerMessage(EventId = 1213, Level = LogLevel.Error, Message = "Worker {WorkerId} could not be registered with the death watch")]
        public static partial void WatchFailed(ILogger logger, Exception exception, string workerId);

        [LoggerMessage(EventId = 1214, Level = LogLevel.Error, Message = "The death watch's writer failed: workers started from now on are not watched")]
        public static partial void WriterFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1215, Level = LogLevel.Information, Message = "[death watch] {Line}")]
        public static partial void Said(ILogger logger, string line);
    }
}
