namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// One process as the reaper judges it: the fields of /proc/PID/stat that identify it (start time and boot id name
/// it uniquely where a pid may be reused), the uid that owns it, and the markers it carries on its command line
/// (anyone can forge these) and in its environment (inherited from a worker; read only where it matters).
/// </summary>
internal sealed record ProcessSnapshot(
    int Pid,
    int ParentPid,
    int ProcessGroupId,
    int SessionId,
    uint Uid,
    ulong StartTime,
    string BootId,
    char State,
    string? CommandLineMarker,
    string? EnvironmentMarker = null)
{
    /// <summary>Zombies (and dead entries) have exited; they only wait to be reaped.</summary>
    public bool HasExited => State is 'Z' or 'X';

    public bool IsGroupLeader => ProcessGroupId == Pid;
}
