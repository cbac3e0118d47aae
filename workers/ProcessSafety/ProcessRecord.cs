namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>One process a silo spawned, with what it takes to recognise that very process later (pid reuse).</summary>
internal sealed record ProcessRecord(int Pid, int ProcessGroupId, ulong StartTime, string BootId, string WorkerId, string Marker);

/// <summary>
/// The registry file of one silo incarnation. The owner fields name the silo process itself, so another silo on the
/// host can tell whether this incarnation still lives.
/// </summary>
internal sealed record RegistryFileContent(
    string ClusterId,
    string Silo,
    string InstanceToken,
    int OwnerPid,
    ulong OwnerStartTime,
    string BootId,
    IReadOnlyList<ProcessRecord> Processes,
    string? PidNamespace = null,
    string? Host = null);
