namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// Everything one sweep judges by, taken before any decision: who this silo process is, the processes on the host,
/// the registry files that passed the file checks (regular, owned by this uid, in its own folder), this
/// incarnation's own records, the live workers that claim pids, and which silos membership declares dead.
/// </summary>
internal sealed record SweepFacts(
    string ClusterId,
    string SiloKey,
    string InstanceToken,
    int OwnPid,
    uint OwnUid,
    string BootId,
    string Host,
    string? PidNamespace,
    IReadOnlyList<ProcessSnapshot> Processes,
    IReadOnlyList<RegistryFileFacts> RegistryFiles,
    IReadOnlyList<ProcessRecord> OwnRecords,
    IReadOnlyList<ClaimedWorker> ClaimedWorkers,
    IReadOnlySet<string> DeadSilos,
    ulong NowTicks = ulong.MaxValue,
    ulong HandshakeTicks = 0);

/// <summary>A registry file another incarnation wrote, as read (see <c>RegistryFiles.Read</c> in the grains project).</summary>
internal sealed record RegistryFileFacts(string Path, RegistryFileContent Content);

/// <summary>A live worker of this silo, as its pool holds it.</summary>
internal sealed record ClaimedWorker(int Pid, int ProcessGroupId, string Marker);
