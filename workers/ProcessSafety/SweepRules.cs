using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>
/// What a sweep may end, as a pure function of <see cref="SweepFacts"/>. A command line is world-readable and
/// forgeable, so it never suffices: a process is ended only when a record this silo wrote (in memory) or a verified
/// registry file names that very process (pid, start time, boot id, marker) and it runs as this silo's uid, or
/// when it is something a worker spawned that came back to this silo (its child, by the subreaper) carrying that
/// worker's exact marker in its environment. Everything else is preserved, with the reason.
/// </summary>
internal static class SweepRules
{
    public static SweepPlan Judge(SweepFacts facts) => new Judgement(facts, atStop: false).Run();

    /// <summary>At a clean stop, once the pool has stopped: what this incarnation recorded, and what its workers' code left behind.</summary>
    public static SweepPlan JudgeAtStop(SweepFacts facts) => new Judgement(facts, atStop: true).Run();

    /// <summary>
    /// What one worker's code left behind when the worker ended: this silo's (re-parented) children with this uid,
    /// carrying exactly its marker in their environment, started while that worker lived (its slot's next worker has
    /// the same marker). Either with no marker on their command line (what its code spawned and exec'd), or with exactly
    /// the worker's there when the pid is none of the <paramref name="bridges"/> this silo spawned and it started before
    /// the worker was seen to end: a copy of the bridge that user code forked (fork, setsid, fork, no exec), which
    /// holds the worker's pipes open and would otherwise keep its end from being seen at all.
    /// </summary>
    public static List<Orphan> LeftBehindBy(IEnumerable<ProcessSnapshot> processes, int ownPid, uint ownUid, string workerMarker, string workerId,
        ulong workerStartTime, ulong workerEndedBy, IReadOnlySet<int>? bridges = null) =>
        [.. processes
            .Where(p => p.EnvironmentMarker == workerMarker && p.StartTime >= workerStartTime && p.StartTime <= workerEndedBy
                && (IsAdoptedByUs(p, ownPid, ownUid) || IsForkOfBridge(p, ownPid, ownUid, workerMarker, workerEndedBy, bridges)))
            .Select(p => new Orphan(p.Pid, p.StartTime, workerMarker, workerId, $"spawned by worker {workerId}, which has ended; re-parented to this silo",
                MarkerInEnvironment: true, SignalGroup: false, Reap: true))];

    // Strictly before the end was seen: the slot's next worker (same marker on its command line) starts after it.
    private static bool IsForkOfBridge(ProcessSnapshot p, int ownPid, uint ownUid, string workerMarker, ulong workerEndedBy, IReadOnlySet<int>? bridges) =>
        bridges is not null && p.ParentPid == ownPid && p.Uid == ownUid && !p.HasExited && p.CommandLineMarker == workerMarker
        && p.StartTime < workerEndedBy && !bridges.Contains(p.Pid) && !DotnetChildren.Contains(p.Pid);

    // Not a child this process started itself (an interpreter probe carries a marker in its environment and none on its
    // command line, like what a worker's code spawned; the slot's next worker carries the ended one's marker).
    private static bool IsAdoptedByUs(ProcessSnapshot p, int ownPid, uint ownUid) =>
        p.ParentPid == ownPid && p.Uid == ownUid && !p.HasExited && p.CommandLineMarker is null && p.EnvironmentMarker is not null
        && !DotnetChildren.Contains(p.Pid);

    private sealed class Judgement(SweepFacts facts, bool atStop)
    {
        private readonly Dictionary<int, ProcessSnapshot> _processes = facts.Processes.GroupBy(p => p.Pid).ToDictionary(g => g.Key, g => g.First());
        private readonly HashSet<int> _claimedPids = [.. facts.ClaimedWorkers.Select(w => w.Pid)];
        private readonly HashSet<int> _claimedGroups = [.. facts.ClaimedWorkers.Select(w => w.ProcessGroupId).Where(g => g > 1)];
        private readonly HashSet<int> _ownRecordPids = [.. facts.OwnRecords.Select(r => r.Pid)];
        private readonly HashSet<int> _handled = [facts.OwnPid];
        private readonly List<Orphan> _terminate = [];
        private readonly List<PreservedProcess> _preserve = [];
        private readonly List<DeadIncarnation> _dead = [];
        private readonly List<string> _notes = [];
        private readonly List<ProcessSnapshot> _adoptedFromLive = [];
        private int _stale;

        public SweepPlan Run()
        {
            if (!atStop)
            {
                foreach (var file in facts.RegistryFiles)
                {
                    JudgeFile(file);
                }
            }

            JudgeOwnRecords();
            JudgeAdopted();
            if (!atStop)
            {
                JudgeRemainingMarked();
            }

            return new SweepPlan(_terminate, _preserve, _stale, _dead, _notes, _adoptedFromLive);
        }

        private void JudgeFile(RegistryFileFacts file)
        {
            var content = file.Content;
            // A state directory shared between hosts holds files whose pids mean nothing here: those are left alone.
            if (content.ClusterId != facts.ClusterId || (content.Host is not null && content.Host != facts.Host))
            {
                return;
            }

            if (content.InstanceToken == facts.InstanceToken)
            {
                _notes.Add($"{file.Path} claims this silo's own instance token: ignored (this incarnation goes by its own records)");
                return;
            }

            if (WhyIncarnationIsDead(content) is not var (why, onlyOwnerGone))
            {
                return; // a live incarnation sweeps its own processes
            }

            var live = new List<ProcessRecord>();
            foreach (var record in content.Processes)
            {
                if (JudgeRecord(file, record, why, onlyOwnerGone))
                {
                    live.Add(record);
                }
            }

            _dead.Add(new DeadIncarnation(file.Path, content, live));
        }

        /// <summary>Why the incarnation that wrote a file is dead (and whether only its missing silo process says so), or null while it lives.</summary>
        private (string Why, bool OnlyOwnerGone)? WhyIncarnationIsDead(RegistryFileContent content)
        {
            if (content.BootId != facts.BootId)
            {
                return ("written before the host rebooted", false);
            }

            var deadInMembership = facts.DeadSilos.Contains(content.Silo);
            var ownerPidMeansSomethingHere = content.PidNamespace is null || content.PidNamespace == facts.PidNamespace;
            if (ownerPidMeansSomethingHere && !IsAlive(content.OwnerPid, content.OwnerStartTime))
            {
                return deadInMembership
                    ? ($"its silo process {content.OwnerPid} is gone and its silo is dead in membership", false)
                    : ($"its silo process {content.OwnerPid} is gone", true);
            }

            return deadInMembership ? ("its silo is dead in membership", false) : null;
        }

        /// <returns>True when the record named a live process (ended, or preserved for a reason that may pass).</returns>
        private bool JudgeRecord(RegistryFileFacts file, ProcessRecord record, string why, bool onlyOwnerGone)
        {
            var content = file.Content;
            if (!ProcessMarker.TryParse(record.Marker, out var marker) || marker!.ClusterId != facts.ClusterId
                || marker.Silo != content.Silo || marker.InstanceToken != content.InstanceToken)
            {
                _notes.Add($"{file.Path}: the record of pid {record.Pid} names another incarnation than its file: ignored");
                return false;
            }

            if (_claimedPids.Contains(record.Pid) || _ownRecordPids.Contains(record.Pid))
            {
                _notes.Add($"{file.Path}: the record of pid {record.Pid} names a live worker of this silo: ignored");
                return false; // judged (and preserved) with this silo's own workers
            }

            var process = _processes.GetValueOrDefault(record.Pid);
            if (record.BootId != facts.BootId || process is null || process.HasExited || process.StartTime != record.StartTime
                || process.BootId != record.BootId || process.CommandLineMarker != record.Marker)
            {
                _stale++;
                EndWhatAnExitedLeaderLeft(record, process, content.Silo, why);
                return false;
            }

            _handled.Add(process.Pid);
            if (process.Uid != facts.OwnUid)
            {
                Preserve(process, $"named by {file.Path} but owned by uid {process.Uid}");
                return true;
            }

            var ownerPidMeansSomethingHere = content.PidNamespace is null || content.PidNamespace == facts.PidNamespace;
            if (ownerPidMeansSomethingHere && process.StartTime < content.OwnerStartTime)
            {
                Preserve(process, $"named by {file.Path} but started before the silo process said to have spawned it");
                return true;
            }

            if (onlyOwnerGone && process.ParentPid == content.OwnerPid)
            {
                // Its parent is the recorded spawner's pid: that process lives, so the file's claim that it died is false.
                Preserve(process, $"named by {file.Path}, whose silo process {content.OwnerPid} still parents it");
                return true;
            }

            _terminate.Add(new Orphan(process.Pid, process.StartTime, record.Marker, record.WorkerId, $"registry of {content.Silo}: {why}",
                SignalGroup: GroupGoesWith(process, record.ProcessGroupId)));
            return true;
        }

        /// <summary>
        /// Whether a verified orphan's group may be signalled with it: it leads the group it was recorded leading, and
        /// every other live member runs as this uid (members with another uid are preserved, and the group is not).
        /// </summary>
        private bool GroupGoesWith(ProcessSnapshot leader, int recordedGroup)
        {
            if (!leader.IsGroupLeader || recordedGroup != leader.Pid)
            {
                return false;
            }

            var members = _processes.Values.Where(p => p.ProcessGroupId == leader.Pid && p.Pid != leader.Pid && !p.HasExited).ToList();
            var foreign = members.Where(p => p.Uid != facts.OwnUid).ToList();
            foreach (var member in foreign)
            {
                Preserve(member, $"in the group of orphan {leader.Pid} but owned by uid {member.Uid}: the group is not signalled");
            }

            _handled.UnionWith(members.Select(m => m.Pid));
            return foreign.Count == 0;
        }

        /// <summary>
        /// What a dead incarnation's worker spawned and left behind when it exited (by stdin EOF or its watchdog): the
        /// live members of the group and session it led, with this uid, carrying its exact marker in their
        /// environment. The kernel keeps a group id from being reused while any member lives.
        /// </summary>
        private void EndWhatAnExitedLeaderLeft(ProcessRecord record, ProcessSnapshot? leader, string silo, string why)
        {
            var leaderExited = leader is null || (leader.HasExited && leader.StartTime == record.StartTime);
            if (record.BootId != facts.BootId || record.ProcessGroupId != record.Pid || !leaderExited)
            {
                return;
            }

            foreach (var member in _processes.Values.Where(p => !_handled.Contains(p.Pid) && !p.HasExited
                && p.ProcessGroupId == record.Pid && p.SessionId == record.Pid && p.Uid == facts.OwnUid
                && p.StartTime >= record.StartTime && p.EnvironmentMarker == record.Marker).ToList())
            {
                _handled.Add(member.Pid);
                _terminate.Add(new Orphan(member.Pid, member.StartTime, record.Marker, record.WorkerId,
                    $"spawned by worker pid {record.Pid} of {silo}, which has exited ({why})", MarkerInEnvironment: true));
            }
        }

        /// <summary>This incarnation's own records: a recorded process no live worker claims (past its handshake) has been lost.</summary>
        private void JudgeOwnRecords()
        {
            foreach (var record in facts.OwnRecords)
            {
                if (!atStop && _claimedPids.Contains(record.Pid))
                {
                    continue; // preserved below with the other live workers
                }

                var process = _processes.GetValueOrDefault(record.Pid);
                if (process is null || process.HasExited || process.StartTime != record.StartTime || process.BootId != record.BootId
                    || process.CommandLineMarker != record.Marker || process.Uid != facts.OwnUid || !_handled.Add(process.Pid))
                {
                    continue; // gone or reused: the registry drops the record when its process exits
                }

                if (!atStop && facts.NowTicks - Math.Min(facts.NowTicks, process.StartTime) <= facts.HandshakeTicks)
                {
                    Preserve(process, "this silo spawned it moments ago; its worker may not hold it yet");
                    continue;
                }

                _terminate.Add(new Orphan(process.Pid, process.StartTime, record.Marker, record.WorkerId,
                    atStop ? "left over at this silo's stop" : "this silo spawned it, but no live worker claims it",
                    SignalGroup: GroupGoesWith(process, record.ProcessGroupId)));
            }
        }

        /// <summary>Children this silo adopted (subreaper) from workers of this incarnation that are no longer live.</summary>
        private void JudgeAdopted()
        {
            // A slot's workers share a marker: a child belongs to the live one only if it started after that worker did.
            var liveSince = facts.ClaimedWorkers
                .GroupBy(w => w.Marker, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Min(w => _processes.GetValueOrDefault(w.Pid)?.StartTime ?? 0), StringComparer.Ordinal);
            foreach (var process in _processes.Values.Where(p => IsAdoptedByUs(p, facts.OwnPid, facts.OwnUid) && !_handled.Contains(p.Pid)))
            {
                if (!ProcessMarker.TryParse(process.EnvironmentMarker!, out var marker) || marker!.ClusterId != facts.ClusterId
                    || marker.Silo != facts.SiloKey || marker.InstanceToken != facts.InstanceToken)
                {
                    continue;
                }

                _handled.Add(process.Pid);
                if (!atStop && liveSince.TryGetValue(process.EnvironmentMarker!, out var since) && process.StartTime >= since)
                {
                    Preserve(process, $"spawned by live worker {marker.WorkerId}");
                    _adoptedFromLive.Add(process);
                    continue;
                }

                _terminate.Add(new Orphan(process.Pid, process.StartTime, process.EnvironmentMarker!, marker.WorkerId,
                    $"spawned by worker {marker.WorkerId} of this silo, which is no longer live; re-parented to this silo",
                    MarkerInEnvironment: true, Reap: true));
            }
        }

        /// <summary>Whatever else carries this cluster's marker is preserved: a command line alone proves nothing.</summary>
        private void JudgeRemainingMarked()
        {
            foreach (var process in _processes.Values.Where(p => !p.HasExited && !_handled.Contains(p.Pid)))
            {
                if (process.CommandLineMarker is not { } text || !ProcessMarker.TryParse(text, out var marker) || marker!.ClusterId != facts.ClusterId)
                {
                    continue;
                }

                Preserve(process, _claimedPids.Contains(process.Pid) ? "a live worker of this silo"
                    : _claimedGroups.Contains(process.ProcessGroupId) ? "spawned by a live worker of this silo"
                    : "carries this cluster's marker, but no record this silo can verify names it");
            }
        }

        private bool IsAlive(int pid, ulong startTime) =>
            _processes.GetValueOrDefault(pid) is { HasExited: false } p && p.StartTime == startTime;

        private void Preserve(ProcessSnapshot process, string reason)
        {
            _handled.Add(process.Pid);
            _preserve.Add(new PreservedProcess(process.Pid, reason));
        }
    }
}
