using DSPex.Orleans.Contracts;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// One silo's sweep of its host: the registry files of dead incarnations, then every process whose command line
/// carries this cluster's marker. A process is signalled only when it is verifiably ours (marker, and for registry
/// records start time and boot id) and its owner verifiably dead; everything else is preserved.
/// </summary>
public sealed class OrphanSweeper(
    LocalWorkerPool pool,
    ProcessRegistry registry,
    IClusterMembershipService membership,
    IOptions<ProcessSafetyOptions> options,
    ReaperMetrics metrics,
    ILogger<OrphanSweeper> logger)
{
    // USER_HZ, the unit of /proc start times, is 100 on every Linux ABI .NET runs on.
    private const double ClockTicksPerSecond = 100;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<SweepReport> SweepAsync(string trigger)
    {
        await _oneAtATime.WaitAsync();
        try
        {
            var report = await Task.Run(() => Sweep(trigger));
            metrics.Record(report);
            var level = report.Found > 0 || report.Errors > 0 || trigger != SweepTriggers.Reminder ? LogLevel.Information : LogLevel.Debug;
            logger.Log(level, "{Report}{Details}", report, report.Details.Count == 0 ? "" : "\n  " + string.Join("\n  ", report.Details));
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// At a clean stop, after the pool has stopped its workers: whatever this incarnation spawned and still lives
    /// (its registry records, and any process with its own marker) is ended; nothing else is looked at.
    /// </summary>
    public async Task<SweepReport> SweepOwnAtStopAsync()
    {
        await _oneAtATime.WaitAsync();
        try
        {
            var report = await Task.Run(async () =>
            {
                var own = registry.Records
                    .Select(r => LinuxProcess.Read(r.Pid) is { HasExited: false } p && p.StartTime == r.StartTime && p.MarkerText == r.Marker ? p : null)
                    .Concat(LinuxProcess.AllPids().Select(LinuxProcess.Read))
                    .OfType<LinuxProcess>()
                    .Where(p => !p.HasExited && p.Marker is { } m && m.ClusterId == registry.ClusterId && m.Silo == pool.SiloKey && m.InstanceToken == pool.InstanceToken)
                    .DistinctBy(p => p.Pid)
                    .Select(p => new Orphan(p.Pid, p.StartTime, p.MarkerText!, p.Marker!.WorkerId, "left over at this silo's stop"))
                    .ToList();
                var results = await Task.WhenAll(own.Select(o => Task.Run(() => OrphanTerminator.Terminate(o, options.Value.KillGracePeriod))));
                return new SweepReport(pool.SiloKey, SweepTriggers.Stop, own.Count,
                    results.Count(r => r.Outcome == TerminationOutcome.Graceful),
                    results.Count(r => r.Outcome == TerminationOutcome.Forced),
                    results.Count(r => r.Outcome == TerminationOutcome.Failed), 0, 0,
                    [.. results.Select(r => $"pid {r.Orphan.Pid} ({r.Orphan.WorkerId}): {r.Outcome}{(r.Error is null ? "" : " - " + r.Error)}")]);
            });
            metrics.Record(report);
            logger.LogInformation("{Report}", report);
            return report;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<SweepReport> Sweep(string trigger)
    {
        var scan = new SweepScan(pool, membership.CurrentSnapshot, registry.ClusterId);
        var details = new List<string>();
        var errors = 0;
        var stale = 0;
        var orphans = new List<Orphan>();
        var deadFiles = new List<(string Path, RegistryFileContent Content, List<ProcessRecord> Live)>();

        foreach (var path in RegistryFiles.List(registry.Directory).Where(p => p != registry.FilePath))
        {
            RegistryFileContent? content;
            try
            {
                content = RegistryFiles.Read(path);
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
            {
                errors++;
                details.Add($"unreadable registry file {path}: {e.Message}");
                continue;
            }

            // A state directory shared between hosts holds files whose pids mean nothing here: those are left alone.
            var fromThisHost = content?.Host is null || content.Host == Environment.MachineName;
            if (content is null || content.ClusterId != registry.ClusterId || !fromThisHost || scan.WhyIncarnationIsDead(content) is not { } why)
            {
                continue; // a live incarnation sweeps its own processes
            }

            var live = new List<ProcessRecord>();
            foreach (var record in content.Processes)
            {
                if (scan.VerifyRecord(record) is { } process)
                {
                    scan.Handled.Add(record.Pid);
                    live.Add(record);
                    orphans.Add(new Orphan(record.Pid, record.StartTime, record.Marker, record.WorkerId, $"registry of {content.Silo}: {why}"));
                }
                else
                {
                    stale++;
                    var members = scan.SpawnedByExitedLeader(record);
                    scan.Handled.UnionWith(members.Select(m => m.Pid));
                    orphans.AddRange(members.Select(m => new Orphan(m.Pid, m.StartTime, record.Marker, record.WorkerId,
                        $"spawned by worker pid {record.Pid} of {content.Silo}, which has exited ({why})", MarkerInEnvironment: true)));
                }
            }

            deadFiles.Add((path, content, live));
        }

        foreach (var process in scan.MarkedProcesses())
        {
            if (scan.WhyOrphaned(process, pool.Options.StartTimeout) is { } reason)
            {
                orphans.Add(new Orphan(process.Pid, process.StartTime, process.MarkerText!, process.Marker!.WorkerId, reason));
            }
            else
            {
                scan.Preserved++;
            }
        }

        var grace = options.Value.KillGracePeriod;
        var results = await Task.WhenAll(orphans.Select(o => Task.Run(() => OrphanTerminator.Terminate(o, grace))));
        foreach (var result in results)
        {
            var o = result.Orphan;
            details.Add($"pid {o.Pid} ({o.WorkerId}; {o.Reason}): {result.Outcome}{(result.Error is null ? "" : " - " + result.Error)}");
        }

        errors += results.Count(r => r.Outcome == TerminationOutcome.Failed);
        var failed = results.Where(r => r.Outcome == TerminationOutcome.Failed).Select(r => r.Orphan.Pid).ToHashSet();
        foreach (var (path, content, live) in deadFiles)
        {
            SettleDeadFile(path, content, [.. live.Where(r => failed.Contains(r.Pid))], details);
        }

        return new SweepReport(
            pool.SiloKey, trigger, orphans.Count,
            results.Count(r => r.Outcome == TerminationOutcome.Graceful),
            results.Count(r => r.Outcome == TerminationOutcome.Forced),
            errors, scan.Preserved, stale, details);
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            details.Add($"could not update registry file {path}: {e.Message}");
        }
    }

    /// <summary>What one sweep knows about the host and the cluster, and the rules it judges processes by.</summary>
    private sealed class SweepScan(LocalWorkerPool pool, ClusterMembershipSnapshot snapshot, string clusterId)
    {
        private readonly HashSet<int> _claimedPids = [.. pool.LiveProcesses().Select(p => p.Pid)];
        private readonly HashSet<int> _claimedGroups = [.. pool.LiveProcesses().Select(p => p.ProcessGroupId).Where(g => g > 1)];
        private readonly Dictionary<string, SiloStatus> _status = snapshot.Members.Values.ToDictionary(m => SiloKeys.ForSilo(m.SiloAddress), m => m.Status);
        private readonly double _uptimeSeconds = ReadUptimeSeconds();

        public HashSet<int> Handled { get; } = [Environment.ProcessId];

        public int Preserved { get; set; }

        public string? WhyIncarnationIsDead(RegistryFileContent content)
        {
            if (content.BootId != LinuxProcess.BootId)
            {
                return "written before the host rebooted";
            }

            var ownerPidMeansSomethingHere = content.PidNamespace is null || content.PidNamespace == LinuxProcess.OwnPidNamespace;
            if (ownerPidMeansSomethingHere
                && (LinuxProcess.Read(content.OwnerPid) is not { HasExited: false } owner || owner.StartTime != content.OwnerStartTime))
            {
                return $"its silo process {content.OwnerPid} is gone";
            }

            return IsDead(content.Silo) ? "its silo is dead in membership" : null;
        }

        /// <summary>The live process a record names, if the pid still names that very process (pid reuse) and it carries our marker.</summary>
        public LinuxProcess? VerifyRecord(ProcessRecord record)
        {
            if (record.BootId != LinuxProcess.BootId || LinuxProcess.Read(record.Pid) is not { HasExited: false } process)
            {
                return null;
            }

            return process.StartTime == record.StartTime && process.MarkerText == record.Marker && process.Marker?.ClusterId == clusterId
                ? process
                : null;
        }

        /// <summary>
        /// What a dead incarnation's worker spawned and left behind when it exited (by stdin EOF or its watchdog): the
        /// live members of the group it led, carrying its exact marker in their environment. The kernel keeps a group
        /// id from being reused while any member lives, and the marker names this worker and silo incarnation.
        /// </summary>
        public List<LinuxProcess> SpawnedByExitedLeader(ProcessRecord record)
        {
            var leader = LinuxProcess.Read(record.Pid);
            var leaderExited = leader is null || (leader.HasExited && leader.StartTime == record.StartTime);
            if (record.BootId != LinuxProcess.BootId || record.ProcessGroupId != record.Pid || !leaderExited)
            {
                return [];
            }

            return [.. LinuxProcess.AllPids()
                .Where(pid => !Handled.Contains(pid))
                .Select(LinuxProcess.Read)
                .OfType<LinuxProcess>()
                .Where(p => !p.HasExited && p.ProcessGroupId == record.ProcessGroupId && p.SessionId == record.ProcessGroupId
                    && p.StartTime >= record.StartTime && LinuxProcess.ReadEnvironmentMarker(p.Pid) == record.Marker)];
        }

        public IEnumerable<LinuxProcess> MarkedProcesses() =>
            LinuxProcess.AllPids()
                .Where(pid => !Handled.Contains(pid))
                .Select(LinuxProcess.Read)
                .OfType<LinuxProcess>()
                .Where(p => !p.HasExited && p.Marker?.ClusterId == clusterId);

        /// <summary>Why a process with this cluster's marker is an orphan, or null when it must be preserved.</summary>
        public string? WhyOrphaned(LinuxProcess process, TimeSpan startTimeout)
        {
            var marker = process.Marker!;
            if (_claimedPids.Contains(process.Pid) || _claimedGroups.Contains(process.ProcessGroupId))
            {
                return null; // a live worker of this silo, or something its code forked
            }

            if (marker.Silo == pool.SiloKey && marker.InstanceToken == pool.InstanceToken)
            {
                // A worker still in its handshake is not claimed yet; past the start timeout it would have been.
                var ageSeconds = _uptimeSeconds - process.StartTime / ClockTicksPerSecond;
                return ageSeconds > startTimeout.TotalSeconds + 1 ? "this silo spawned it, but no live worker claims it" : null;
            }

            if (process.IsGroupLeader && process.SpawnerIsGone)
            {
                return $"the silo process that started it (pid {process.SpawnerPid}) is gone";
            }

            // Same silo key but another token: an earlier incarnation at this address and generation whose process
            // still lives (the check above); it is not provably dead, so it is left alone.
            return marker.Silo != pool.SiloKey && IsDead(marker.Silo) ? $"its silo {marker.Silo} is dead in membership" : null;
        }

        private bool IsDead(string siloKey) => _status.TryGetValue(siloKey, out var status) && status == SiloStatus.Dead;

        private static double ReadUptimeSeconds() =>
            double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
