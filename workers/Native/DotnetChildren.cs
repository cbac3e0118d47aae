using System.Collections.Concurrent;
using System.Diagnostics;

namespace DSPex.Orleans.Workers.Native;

/// <summary>
/// The children this process started through <see cref="Process"/>, whose exit .NET itself collects. None of them is
/// an adopted orphan, and nothing else may reap one: a waitpid here leaves .NET's SIGCHLD handling to find its own
/// child gone, and it fails the whole process fast ("Error while reaping child"). Workers, interpreter probes and the
/// death watch are started through <see cref="Start"/>; the reaper asks <see cref="Contains"/> before it takes a
/// child of this process for an orphan or reaps one.
/// </summary>
internal static class DotnetChildren
{
    private static readonly ConcurrentDictionary<int, byte> Pids = new();

    /// <summary>Starts the process and counts its pid as .NET's until .NET has seen it exit.</summary>
    public static void Start(Process process)
    {
        var pid = 0;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Pids.TryRemove(Volatile.Read(ref pid), out _);
        process.Start();
        Volatile.Write(ref pid, process.Id);
        Pids[process.Id] = 0;
        if (process.HasExited)
        {
            // Exited before its pid was known here: the handler above removed nothing.
            Pids.TryRemove(process.Id, out _);
        }
    }

    public static bool Contains(int pid) => Pids.ContainsKey(pid);
}
