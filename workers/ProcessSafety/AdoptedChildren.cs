using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// Children this silo adopted (as a child subreaper) from a live worker's code, whose parent exited first: nothing
/// else will wait for them, and .NET only reaps what its Process class started. Sweeps hand over the ones they proved
/// ours; a later sweep reaps each once it has exited (a zombie keeps its pid and start time until reaped, so the
/// identity check holds), by its pid alone.
/// </summary>
internal sealed class AdoptedChildren
{
    private readonly object _lock = new();
    private readonly Dictionary<int, ulong> _watched = [];

    public void Watch(IEnumerable<ProcessSnapshot> adopted)
    {
        lock (_lock)
        {
            foreach (var process in adopted)
            {
                _watched[process.Pid] = process.StartTime;
            }
        }
    }

    /// <summary>Reaps the watched children that have exited; returns how many.</summary>
    public int ReapExited()
    {
        var reaped = 0;
        lock (_lock)
        {
            foreach (var (pid, startTime) in _watched.ToList())
            {
                var current = LinuxProcess.Read(pid);
                if (current is null || current.StartTime != startTime || current.ParentPid != Environment.ProcessId)
                {
                    _watched.Remove(pid); // gone, or someone else's now
                }
                else if (current.HasExited)
                {
                    if (ChildSubreaper.TryReap(pid) != ChildSubreaper.ReapResult.NotExitedYet)
                    {
                        _watched.Remove(pid);
                        reaped++;
                    }
                }
            }
        }

        return reaped;
    }
}
