using System.Collections.Concurrent;
using System.Globalization;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Workers.Python;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// One cgroup (v2) per worker process, so that everything the worker's code starts is provably the worker's and ends
/// with it. The silo creates <c>dspex-TOKEN</c> below its own cgroup at start; each bridge, before it imports any
/// adapter, creates <c>wPID-STARTTIME</c> in it and moves itself there (dspex/worker_cgroup.py). The kernel keeps every
/// descendant in that cgroup whatever it does (setsid, exec with an empty environment, fork without exec), so no
/// marker is needed to tell what is the worker's: when the worker's process ends (crash, recycle, stop), everything
/// left in its cgroup is SIGKILLed at once (cgroup.kill), the ones that came back to this silo (a child subreaper) are
/// reaped by pid, and the cgroup is removed. Only cgroups of workers this silo spawned are ever ended; a process
/// outside them (a co-hosting application's own children, daemonized or not) is never looked at.
/// Where cgroups cannot be written (most unprivileged containers) nothing is created and the environment-marker rules
/// of <see cref="SweepRules"/> and <see cref="WorkerLeftovers"/> are what remains.
/// </summary>
internal sealed partial class WorkerCgroups
{
    private static readonly TimeSpan EndDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly IOptions<ProcessSafetyOptions> _options;
    private readonly ILogger<WorkerCgroups> _logger;
    private readonly string _token;
    // The cgroups of workers this silo spawned, by name, until ended.
    private readonly ConcurrentDictionary<string, string> _spawned = new(StringComparer.Ordinal);
    private string? _directory;
    private string? _path;

    public WorkerCgroups(SiloPools pools, IOptions<ProcessSafetyOptions> options, ILogger<WorkerCgroups> logger)
    {
        _options = options;
        _logger = logger;
        _token = pools.InstanceToken;
        pools.ProcessSpawned += Spawned;
    }

    /// <summary>The directory of this silo's cgroup of worker cgroups; null when workers are not confined.</summary>
    public string? Directory => Volatile.Read(ref _directory);

    /// <summary>The name a bridge gives its cgroup: its pid and its start time (field 22 of /proc/PID/stat), unique on this boot.</summary>
    public static string NameFor(int pid, ulong startTime) =>
        $"w{pid.ToString(CultureInfo.InvariantCulture)}-{startTime.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The name of this silo's cgroup of worker cgroups (dspex/worker_cgroup.py derives it from the marker's token).</summary>
    public static string SiloCgroupName(string instanceToken) => "dspex-" + instanceToken;

    /// <summary>Creates this silo's cgroup, before the pool starts; logs why workers are not confined when it cannot.</summary>
    public void Open()
    {
        if (!_options.Value.WorkerCgroups)
        {
            Log.Off(_logger, "DSPex:ProcessSafety:WorkerCgroups is false");
            return;
        }

        if (!OperatingSystem.IsLinux() || Cgroup2.Own() is not var (own, ownPath))
        {
            Log.Off(_logger, "no cgroup2 hierarchy is mounted where this process's cgroup is");
            return;
        }

        var name = SiloCgroupName(_token);
        var directory = Path.Combine(own, name);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var reason = $"{own} cannot be written ({e.Message})"; // in a local: CONTRIBUTING, "Logging"
                Log.Off(_logger, reason);
            }

            return;
        }

        _path = ownPath.TrimEnd('/') + "/" + name;
        Volatile.Write(ref _directory, directory);
        Log.On(_logger, directory);
    }

    private void Spawned(PythonProcess worker)
    {
        if (Directory is null || LinuxProcess.Read(worker.Pid) is not { } process)
        {
            return;
        }

        var name = NameFor(worker.Pid, process.StartTime);
        _spawned[name] = worker.WorkerId;
        // The OS process gone (whether or not its pipes have closed): nothing in its cgroup has a live worker any more.
        _ = worker.ProcessEnded.ContinueWith(_ => End(name), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>
    /// Ends what is left in the cgroup of a worker whose process has gone: every process in it at once, then reaps
    /// the ones that came back to this silo, then removes the cgroup. Returns how many processes were in it.
    /// </summary>
    public int End(string name)
    {
        if (Directory is not { } siloDirectory || !_spawned.TryGetValue(name, out var workerId))
        {
            return 0;
        }

        var directory = Path.Combine(siloDirectory, name);
        var cgroupPath = _path + "/" + name;
        try
        {
            var members = Cgroup2.Members(directory).Count;
            KillAll(directory, cgroupPath);
            var reaped = ReapIn(cgroupPath);
            RemoveWhenEmpty(directory);
            _spawned.TryRemove(name, out _);
            if (members > 0 || reaped > 0)
            {
                Log.Ended(_logger, members, workerId, name, reaped);
            }

            return members;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            // Left in _spawned: the next sweep and the stop try again.
            Log.NotEnded(_logger, e, workerId, name);
            return 0;
        }
    }

    /// <summary>
    /// For a sweep: ends the cgroups of spawned workers whose process is gone (an end that failed before), and reaps
    /// this silo's exited children that are in a cgroup of its workers. Returns (processes ended, children reaped).
    /// </summary>
    public (int Ended, int Reaped) Sweep()
    {
        if (_path is null)
        {
            return (0, 0);
        }

        var ended = 0;
        foreach (var name in _spawned.Keys)
        {
            if (!IsAlive(name))
            {
                ended += End(name);
            }
        }

        return (ended, ReapIn(_path + "/"));
    }

    /// <summary>
    /// For a sweep that found a dead incarnation of a silo on this host (its registry file proves it dead): what is
    /// left in its workers' cgroups (beside this silo's, when both silos run in one cgroup) is what those workers'
    /// code started, and nothing of theirs is alive to own it. Killed, and the cgroups removed. Returns how many
    /// processes were in them.
    /// </summary>
    public int EndIncarnation(string instanceToken)
    {
        if (Directory is not { } directory || _path is not { } path || instanceToken == _token || !IsToken(instanceToken))
        {
            return 0;
        }

        var deadDirectory = Path.Combine(Path.GetDirectoryName(directory)!, SiloCgroupName(instanceToken));
        var deadPath = path[..path.LastIndexOf('/')] + "/" + SiloCgroupName(instanceToken);
        if (!System.IO.Directory.Exists(deadDirectory))
        {
            return 0;
        }

        var ended = 0;
        foreach (var worker in System.IO.Directory.GetDirectories(deadDirectory, "w*"))
        {
            ended += Cgroup2.Members(worker).Count;
            KillAll(worker, deadPath + "/" + Path.GetFileName(worker));
            RemoveWhenEmpty(worker);
        }

        RemoveWhenEmpty(deadDirectory);
        return ended;
    }

    private static bool IsToken(string text) => text.Length == 32 && text.All(char.IsAsciiHexDigitLower);

    /// <summary>At a clean stop, once the pool has stopped: ends every worker cgroup left, then removes this silo's.</summary>
    public int EndAll()
    {
        if (Directory is not { } directory)
        {
            return 0;
        }

        var ended = _spawned.Keys.Sum(End);
        ReapIn(_path + "/");
        try
        {
            System.IO.Directory.Delete(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.NotRemoved(_logger, directory, e.Message);
        }

        return ended;
    }

    private static bool IsAlive(string name)
    {
        var parts = name[1..].Split('-');
        return int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            && LinuxProcess.Read(pid) is { HasExited: false } process && process.StartTime == startTime;
    }

    private static void KillAll(string directory, string cgroupPath)
    {
        var deadline = DateTime.UtcNow + EndDeadline;
        if (!Cgroup2.Kill(directory))
        {
            // Before Linux 5.14: one member at a time, each checked again through a pidfd where the kernel has them.
            while (Cgroup2.Members(directory) is { Count: > 0 } members && DateTime.UtcNow < deadline)
            {
                foreach (var pid in members)
                {
                    KillMember(pid, cgroupPath);
                }

                Thread.Sleep(PollInterval);
            }
        }

        while (Cgroup2.IsPopulated(directory))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"cgroup {directory} still holds processes {EndDeadline.TotalSeconds} s after they were killed");
            }

            Thread.Sleep(PollInterval);
        }
    }

    private static void KillMember(int pid, string cgroupPath)
    {
        if (Pidfd.TryOpen(pid, out var pidfd) == Pidfd.OpenResult.Opened)
        {
            using (pidfd)
            {
                if (Cgroup2.PathOf(pid) == cgroupPath)
                {
                    pidfd!.Signal(NativeSignals.SIGKILL);
                }
            }
        }
        else if (Cgroup2.PathOf(pid) == cgroupPath)
        {
            NativeSignals.SendToProcess(pid, NativeSignals.SIGKILL);
        }
    }

    /// <summary>
    /// Reaps this silo's exited children whose cgroup is <paramref name="cgroupPath"/> (or below it, for a prefix ending
    /// in '/'). An exited process is re-parented an instant after its cgroup reports it gone, so this looks until none
    /// of its zombies is left with another parent. Never a child .NET started (<see cref="ChildSubreaper.TryReap"/>).
    /// </summary>
    private static int ReapIn(string cgroupPath)
    {
        var ownPid = Environment.ProcessId;
        var reaped = 0;
        var deadline = DateTime.UtcNow + EndDeadline;
        while (true)
        {
            var waiting = false;
            foreach (var pid in LinuxProcess.AllPids())
            {
                if (LinuxProcess.Read(pid) is not { HasExited: true } process || DotnetChildren.Contains(pid)
                    || Cgroup2.PathOf(pid) is not { } path
                    || !(cgroupPath.EndsWith('/') ? path.StartsWith(cgroupPath, StringComparison.Ordinal) : path == cgroupPath))
                {
                    continue;
                }

                if (process.ParentPid == ownPid)
                {
                    if (ChildSubreaper.TryReap(pid) == ChildSubreaper.ReapResult.Reaped)
                    {
                        reaped++;
                    }
                }
                else if (!cgroupPath.EndsWith('/'))
                {
                    waiting = true; // its parent is exiting too: it comes back here next
                }
            }

            if (!waiting || DateTime.UtcNow > deadline)
            {
                return reaped;
            }

            Thread.Sleep(PollInterval);
        }
    }

    private static void RemoveWhenEmpty(string directory)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(directory))
                {
                    System.IO.Directory.Delete(directory);
                }

                return;
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(PollInterval); // EBUSY: the last member's exit is still being accounted
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1217, Level = LogLevel.Information,
            Message = "Worker cgroups: every worker runs in a cgroup of its own below {Directory}; what its code starts ends with it")]
        public static partial void On(ILogger logger, string directory);

        [LoggerMessage(EventId = 1218, Level = LogLevel.Information,
            Message = "Worker cgroups are off ({Reason}): what a worker's code detaches is found by the marker in its environment only")]
        public static partial void Off(ILogger logger, string reason);

        [LoggerMessage(EventId = 1219, Level = LogLevel.Information,
            Message = "Ended {Count} process(es) left in the cgroup {Cgroup} of worker {WorkerId}, which has ended; reaped {Reaped}")]
        public static partial void Ended(ILogger logger, int count, string workerId, string cgroup, int reaped);

        [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "Could not end the cgroup {Cgroup} of worker {WorkerId}")]
        public static partial void NotEnded(ILogger logger, Exception exception, string workerId, string cgroup);

        [LoggerMessage(EventId = 1221, Level = LogLevel.Warning, Message = "Could not remove this silo's worker cgroup {Directory}: {Reason}")]
        public static partial void NotRemoved(ILogger logger, string directory, string reason);
    }
}
