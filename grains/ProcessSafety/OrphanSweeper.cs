using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// One silo's sweep of its host: gathers <see cref="SweepFacts"/> (the registry files that pass the file checks,
/// /proc, this incarnation's records, live workers, membership), lets <see cref="SweepRules"/> decide, ends what it
/// decided through <see cref="OrphanTerminator"/> (which re-checks each process before any signal), and settles the
/// files of dead incarnations. The silo's container owns it (a singleton) and disposes it with the host, after the
/// stop's own sweep (<see cref="SweepOwnAtStopAsync"/>).
/// </summary>
internal sealed class OrphanSweeper(
    SiloPools pool,
    ProcessRegistry registry,
    IClusterMembershipService membership,
    IOptions<ProcessSafetyOptions> options,
    ReaperMetrics metrics,
    AdoptedChildren adopted,
    WorkerCgroups cgroups,
    ILogger<OrphanSweeper> logger) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public void Dispose() => _oneAtATime.Dispose();

    public async Task<SweepReport> SweepAsync(string trigger)
    {
        await _oneAtATime.WaitAsync();
        try
        {
            var report = await Task.Run(() => Sweep(trigger));
            metrics.Record(report);
            var level = report.Found > 0 || report.Errors > 0 || trigger != SweepTriggers.Reminder ? LogLevel.Information : LogLevel.Debug;
            logger.Swept(level, report, report.Details.Count == 0 ? "" : "\n  " + string.Join("\n  ", report.Details));
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// At a clean stop, after the pool has stopped its workers: whatever this incarnation recorded and still lives,
    /// and what its workers' code left with this silo, is ended; nothing else is looked at.
    /// </summary>
    public async Task<SweepReport> SweepOwnAtStopAsync()
    {
        await _oneAtATime.WaitAsync();
        try
        {
            var report = await Task.Run(async () =>
            {
                var plan = SweepRules.JudgeAtStop(GatherFacts([], new HashSet<string>(), []));
                var results = await TerminateAsync(plan.Terminate);
                return new SweepReport(pool.SiloKey, SweepTriggers.Stop, plan.Terminate.Count,
                    results.Count(r => r.Outcome == TerminationOutcome.Graceful),
                    results.Count(r => r.Outcome == TerminationOutcome.Forced),
                    results.Count(r => r.Outcome == TerminationOutcome.Failed), 0, 0,
                    [.. results.Select(r => $"pid {r.Orphan.Pid} ({r.Orphan.WorkerId}): {r.Outcome}{(r.Error is null ? "" : " - " + r.Error)}")]);
            });
            metrics.Record(report);
            logger.SweptAtStop(report);
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<SweepReport> Sweep(string trigger)
    {
        var details = new List<string>();
        var files = new List<RegistryFileFacts>();
        var errors = 0;
        foreach (var path in RegistryFiles.List(registry.Directory).Where(p => p != registry.FilePath))
        {
            var read = RegistryFiles.Read(path);
            if (read.Content is { } content)
            {
                files.Add(new RegistryFileFacts(path, content));
            }
            else if (read.Refusal is { } refusal)
            {
                // Untrusted input: skipped, and reported so an operator can remove it.
                errors++;
                details.Add($"registry file {path} skipped: it {refusal}");
            }
        }

        var deadSilos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Dead)
            .Select(m => SiloKeys.ForSilo(m.SiloAddress))
            .ToHashSet();
        var reaped = adopted.ReapExited();
        if (reaped > 0)
        {
            details.Add($"reaped {reaped} exited child(ren) this silo had adopted from its live workers");
        }

        // Workers' cgroups: an exited child in one is provably a worker's, marker or not.
        var (cgroupEnded, cgroupReaped) = cgroups.Sweep();
        if (cgroupEnded > 0 || cgroupReaped > 0)
        {
            details.Add($"worker cgroups: ended {cgroupEnded} process(es) left by ended workers, reaped {cgroupReaped} exited child(ren)");
        }

        var plan = SweepRules.Judge(GatherFacts(files, deadSilos, files.SelectMany(f => f.Content.Processes).Select(r => r.Pid)));
        adopted.Watch(plan.AdoptedFromLiveWorkers ?? []);
        details.AddRange(plan.Notes);
        details.AddRange(plan.Preserve.Where(p => !p.Reason.Contains("live worker", StringComparison.Ordinal)).Select(p => $"pid {p.Pid} preserved: {p.Reason}"));

        var results = await TerminateAsync(plan.Terminate);
        foreach (var result in results)
        {
            var o = result.Orphan;
            details.Add($"pid {o.Pid} ({o.WorkerId}; {o.Reason}): {result.Outcome}{(result.Error is null ? "" : " - " + result.Error)}");
        }

        errors += results.Count(r => r.Outcome == TerminationOutcome.Failed);
        var failed = results.Where(r => r.Outcome == TerminationOutcome.Failed).Select(r => r.Orphan.Pid).ToHashSet();
        foreach (var dead in plan.DeadIncarnations)
        {
            SettleDeadFile(dead.Path, dead.Content, [.. dead.Live.Where(r => failed.Contains(r.Pid))], details);
            EndDeadWorkerCgroups(dead.Content, details, ref errors);
        }

        return new SweepReport(
            pool.SiloKey, trigger, plan.Terminate.Count,
            results.Count(r => r.Outcome == TerminationOutcome.Graceful),
            results.Count(r => r.Outcome == TerminationOutcome.Forced),
            errors, plan.Preserve.Count, plan.StaleRecords, details);
    }

    /// <summary>What a dead incarnation's workers started and left in their cgroups (a process detached with no marker too).</summary>
    private void EndDeadWorkerCgroups(RegistryFileContent dead, List<string> details, ref int errors)
    {
        try
        {
            if (cgroups.EndIncarnation(dead.InstanceToken) is var ended and > 0)
            {
                details.Add($"worker cgroups of {dead.Silo}: ended {ended} process(es) its workers left");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            errors++;
            details.Add($"worker cgroups of {dead.Silo}: could not end them: {e.Message}");
        }
    }

    private SweepFacts GatherFacts(IReadOnlyList<RegistryFileFacts> files, IReadOnlySet<string> deadSilos, IEnumerable<int> recordedLeaders)
    {
        var ownPid = Environment.ProcessId;
        // Environments are read only where they can matter: this silo's children, and groups recorded workers led.
        var groups = recordedLeaders.ToHashSet();
        var processes = ProcessSnapshots.All(p => p.ParentPid == ownPid || groups.Contains(p.ProcessGroupId));
        var claimed = pool.LiveProcesses().Select(p => new ClaimedWorker(p.Pid, p.ProcessGroupId, p.Marker.ToString())).ToList();
        return new SweepFacts(
            registry.ClusterId, pool.SiloKey, pool.InstanceToken, ownPid, NativeFiles.EffectiveUserId, LinuxProcess.BootId,
            Environment.MachineName, LinuxProcess.OwnPidNamespace, processes, files, registry.Records, claimed, deadSilos,
            NowTicks: LinuxProcess.UptimeTicks(),
            HandshakeTicks: (ulong)((pool.LongestStartTimeout.TotalSeconds + 1) * LinuxProcess.ClockTicksPerSecond));
    }

    private async Task<TerminationResult[]> TerminateAsync(IReadOnlyList<Orphan> orphans)
    {
        var grace = options.Value.KillGracePeriod;
        return await Task.WhenAll(orphans.Select(o => Task.Run(() => OrphanTerminator.Terminate(o, grace))));
    }

    /// <summary>A dead incarnation's file keeps only what could not be ended; once empty it goes.</summary>
    private static void SettleDeadFile(string path, RegistryFileContent content, List<ProcessRecord> remaining, List<string> details)
    {
        try
        {
            if (remaining.Count == 0)
            {
                File.Delete(path);
            }
            else
            {
                RegistryFiles.Write(path, content with { Processes = remaining });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnsafeStateDirectoryException)
        {
            details.Add($"could not update registry file {path}: {e.Message}");
        }
    }
}
