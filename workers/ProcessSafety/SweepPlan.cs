namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// What a sweep decided: the processes to end (each with its reason and what the terminator re-checks), the ones it
/// looked at and left alone (with why), records that no longer name a live process, the files of dead incarnations
/// to settle, notes on input it refused to trust, and the silo's adopted children it proved are a live worker's (to
/// reap once they exit: nothing else waits for them).
/// </summary>
internal sealed record SweepPlan(
    IReadOnlyList<Orphan> Terminate,
    IReadOnlyList<PreservedProcess> Preserve,
    int StaleRecords,
    IReadOnlyList<DeadIncarnation> DeadIncarnations,
    IReadOnlyList<string> Notes,
    IReadOnlyList<ProcessSnapshot>? AdoptedFromLiveWorkers = null);

internal sealed record PreservedProcess(int Pid, string Reason);

/// <summary>A dead incarnation's registry file and those of its records that named a live process.</summary>
internal sealed record DeadIncarnation(string Path, RegistryFileContent Content, IReadOnlyList<ProcessRecord> Live);
