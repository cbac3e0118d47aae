using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Workers.ProcessSafety;
using static DSPex.Orleans.UnitTests.ProcessSafety.SweepFactsBuilder;

namespace DSPex.Orleans.UnitTests.ProcessSafety;

[Trait("Category", "Unit")]
public sealed class SweepRulesTests
{
    [Fact]
    public void A_recorded_worker_of_a_crashed_incarnation_is_ended_with_its_group()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, 2000, record.Marker), Process(601, 2100, null, parent: 600, group: 600, session: 600))
            .WithDeadIncarnationFile(record).Build());

        var orphan = Assert.Single(plan.Terminate);
        Assert.Equal((600, 2000ul, true), (orphan.Pid, orphan.StartTime, orphan.SignalGroup));
        Assert.Contains("its silo process 400 is gone", orphan.Reason);
        Assert.Equal([record], Assert.Single(plan.DeadIncarnations).Live);
    }

    [Fact]
    public void A_recorded_pid_now_naming_another_process_is_a_stale_record_and_never_signalled()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, 2001, record.Marker)) // pid reused, even with the marker copied
            .WithDeadIncarnationFile(record, record with { Pid = 601, BootId = "boot-0" }).Build());

        Assert.Empty(plan.Terminate);
        Assert.Equal(2, plan.StaleRecords);
        Assert.Empty(Assert.Single(plan.DeadIncarnations).Live); // the file can go
    }

    [Fact]
    public void Markers_of_other_clusters_are_not_looked_at()
    {
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(700, 2000, Marker(DeadSilo, 0, DeadToken, cluster: "c2")))
            .DeadInMembership(DeadSilo).Build());

        Assert.Empty(plan.Terminate);
        Assert.Empty(plan.Preserve);
    }

    [Fact]
    public void A_recorded_process_owned_by_another_uid_is_preserved_whatever_its_marker()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, 2000, record.Marker, uid: Stranger))
            .WithDeadIncarnationFile(record).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains("owned by uid 1001", Assert.Single(plan.Preserve, p => p.Pid == 600).Reason);
    }

    [Fact]
    public void A_forged_marker_of_a_dead_silo_without_a_record_is_preserved_even_with_our_uid_and_a_gone_spawner()
    {
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(700, 2000, Marker(DeadSilo, 3, DeadToken), parent: 1))
            .DeadInMembership(DeadSilo).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains("no record this silo can verify", Assert.Single(plan.Preserve, p => p.Pid == 700).Reason);
    }

    [Fact]
    public void A_process_copying_a_live_workers_marker_and_token_is_preserved_and_so_is_the_worker()
    {
        var builder = new SweepFactsBuilder().WithLiveWorker(510, slot: 0);
        var plan = SweepRules.Judge(builder.With(Process(700, 5000, Marker(LiveSilo, 0, LiveToken), parent: OwnPid)).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains("a live worker of this silo", Assert.Single(plan.Preserve, p => p.Pid == 510).Reason);
        Assert.Contains("no record this silo can verify", Assert.Single(plan.Preserve, p => p.Pid == 700).Reason);
    }

    [Fact]
    public void Records_of_a_live_incarnation_are_left_to_it()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(DeadOwnerPid, DeadOwnerStart, null), Process(600, 2000, record.Marker, parent: DeadOwnerPid))
            .WithDeadIncarnationFile(record).Build());

        Assert.Empty(plan.Terminate);
        Assert.Empty(plan.DeadIncarnations);
    }

    [Fact]
    public void A_file_saying_its_silo_process_died_is_not_believed_for_a_process_that_pid_still_parents()
    {
        // The recorded owner start time does not match, but pid 400 is alive and parents the worker: it never died.
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(DeadOwnerPid, DeadOwnerStart + 7, null), Process(600, 2000, record.Marker, parent: DeadOwnerPid))
            .WithDeadIncarnationFile(record).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains("still parents it", Assert.Single(plan.Preserve).Reason);
    }

    [Fact]
    public void A_recorded_process_started_before_its_silo_process_is_preserved()
    {
        var record = DeadRecord(600, start: DeadOwnerStart - 1);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, DeadOwnerStart - 1, record.Marker))
            .WithDeadIncarnationFile(record).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains("started before", Assert.Single(plan.Preserve).Reason);
    }

    [Fact]
    public void A_zombie_is_never_signalled_but_what_its_group_left_with_its_marker_is_ended_alone()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(
                Process(600, 2000, record.Marker, state: 'Z'),
                Process(601, 2100, null, group: 600, session: 600, environment: record.Marker),
                Process(602, 2100, null, group: 600, session: 600), // no marker in its environment
                Process(603, 2100, null, group: 600, session: 600, uid: Stranger, environment: record.Marker))
            .WithDeadIncarnationFile(record).Build());

        var orphan = Assert.Single(plan.Terminate);
        Assert.Equal((601, true, false), (orphan.Pid, orphan.MarkerInEnvironment, orphan.SignalGroup));
        Assert.Equal(1, plan.StaleRecords);
    }

    [Fact]
    public void A_planted_record_naming_a_live_worker_of_this_silo_never_ends_it()
    {
        var builder = new SweepFactsBuilder().WithLiveWorker(510, slot: 0);
        // Planted: a dead silo's file whose record names the live worker with its real start time and marker.
        var planted = new ProcessRecord(510, 510, 1000, Boot, $"{LiveSilo}|0", Marker(LiveSilo, 0, LiveToken));
        var plan = SweepRules.Judge(builder
            .WithFile("/state/c1/planted-1.json", DeadFile(planted))
            .WithFile("/state/c1/planted-2.json", DeadFile(planted) with { Silo = LiveSilo, InstanceToken = "tok-other" })
            .WithFile("/state/c1/planted-3.json", DeadFile(planted) with { Silo = LiveSilo, InstanceToken = LiveToken })
            .WithFile("/state/c1/planted-4.json", DeadFile(DeadRecord(510, start: 1000)))
            .DeadInMembership(DeadSilo).Build());

        Assert.Empty(plan.Terminate);
        Assert.Contains(plan.Preserve, p => p.Pid == 510);
        Assert.Equal(4, plan.Notes.Count);
        Assert.Contains(plan.Notes, n => n.Contains("planted-4.json") && n.Contains("live worker of this silo"));
    }

    [Fact]
    public void A_group_with_a_member_of_another_uid_is_not_signalled_as_a_group()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(
                Process(600, 2000, record.Marker),
                Process(601, 2100, null, parent: 600, group: 600, session: 600),
                Process(602, 2100, null, parent: 600, group: 600, session: 600, uid: Stranger))
            .WithDeadIncarnationFile(record).Build());

        var orphan = Assert.Single(plan.Terminate);
        Assert.Equal((600, false), (orphan.Pid, orphan.SignalGroup));
        Assert.Contains("owned by uid 1001", Assert.Single(plan.Preserve, p => p.Pid == 602).Reason);
    }

    [Fact]
    public void A_group_the_record_does_not_say_it_leads_is_not_signalled()
    {
        var record = DeadRecord(600, start: 2000, group: 9);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, 2000, record.Marker))
            .WithDeadIncarnationFile(record).Build());

        Assert.False(Assert.Single(plan.Terminate).SignalGroup);
    }

    [Fact]
    public void This_silos_own_recorded_process_no_worker_claims_is_ended_once_past_its_handshake()
    {
        var marker = Marker(LiveSilo, 1, LiveToken);
        var builder = new SweepFactsBuilder()
            .With(Process(520, 1000, marker, parent: OwnPid), Process(521, 99_900, Marker(LiveSilo, 2, LiveToken), parent: OwnPid))
            .WithOwnRecord(new ProcessRecord(520, 520, 1000, Boot, $"{LiveSilo}|1", marker))
            .WithOwnRecord(new ProcessRecord(521, 521, 99_900, Boot, $"{LiveSilo}|2", Marker(LiveSilo, 2, LiveToken)));
        var plan = SweepRules.Judge(builder.Build(now: 100_000, handshake: 500));

        var orphan = Assert.Single(plan.Terminate);
        Assert.Equal(520, orphan.Pid);
        Assert.Contains("moments ago", Assert.Single(plan.Preserve, p => p.Pid == 521).Reason);
    }

    [Fact]
    public void What_a_worker_detached_and_left_with_this_silo_is_ended_and_reaped_unless_its_worker_lives()
    {
        var builder = new SweepFactsBuilder().WithLiveWorker(510, slot: 0, start: 3000);
        var plan = SweepRules.Judge(builder.With(
                Process(710, 3500, null, parent: OwnPid, environment: Marker(LiveSilo, 0, LiveToken)), // the live worker's
                Process(711, 2500, null, parent: OwnPid, environment: Marker(LiveSilo, 0, LiveToken)), // the slot's earlier worker's
                Process(712, 2500, null, parent: OwnPid, environment: Marker(LiveSilo, 4, LiveToken)), // an ended worker's
                Process(713, 2500, null, parent: 1, environment: Marker(LiveSilo, 4, LiveToken)), // not this silo's child
                Process(714, 2500, null, parent: OwnPid, uid: Stranger, environment: Marker(LiveSilo, 4, LiveToken)),
                Process(715, 2500, null, parent: OwnPid, environment: Marker(LiveSilo, 4, "tok-other")))
            .Build());

        Assert.Equal([711, 712], plan.Terminate.Select(o => o.Pid).Order());
        Assert.All(plan.Terminate, o => Assert.True(o.Reap && o.MarkerInEnvironment));
        Assert.Contains("live worker", Assert.Single(plan.Preserve, p => p.Pid == 710).Reason);
        Assert.Equal(710, Assert.Single(plan.AdoptedFromLiveWorkers!).Pid); // watched, to be reaped once it exits
    }

    [Fact]
    public void At_stop_only_recorded_processes_and_leftovers_of_this_incarnation_are_ended()
    {
        var builder = new SweepFactsBuilder().WithLiveWorker(510, slot: 0);
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.JudgeAtStop(builder.With(
                Process(700, 5000, Marker(LiveSilo, 0, LiveToken), parent: OwnPid), // forged copy of the worker's marker
                Process(600, 2000, record.Marker),
                Process(712, 2500, null, parent: OwnPid, environment: Marker(LiveSilo, 0, LiveToken)))
            .WithDeadIncarnationFile(record).Build());

        Assert.Equal([510, 712], plan.Terminate.Select(o => o.Pid).Order());
    }

    [Fact]
    public void What_one_worker_left_behind_is_bounded_by_its_lifetime_and_its_exact_marker()
    {
        var marker = Marker(LiveSilo, 0, LiveToken);
        var processes = new[]
        {
            Process(710, 3500, null, parent: OwnPid, environment: marker),
            Process(711, 2999, null, parent: OwnPid, environment: marker), // before the worker started
            Process(712, 4100, null, parent: OwnPid, environment: marker), // after it ended: the slot's next worker's
            Process(713, 3500, marker, parent: OwnPid, environment: marker), // a bridge: its marker is on its command line
            Process(714, 3500, null, parent: OwnPid, environment: Marker(LiveSilo, 1, LiveToken)),
            Process(715, 3500, null, parent: OwnPid, environment: marker, state: 'Z'),
            Process(716, 3500, marker, parent: OwnPid, environment: marker), // a copy of the bridge its code forked (no exec)
            Process(717, 4000, marker, parent: OwnPid, environment: marker), // not strictly before the end: maybe the next bridge
            Process(718, 3500, Marker(LiveSilo, 1, LiveToken), parent: OwnPid, environment: Marker(LiveSilo, 1, LiveToken)),
        };

        var left = SweepRules.LeftBehindBy(processes, OwnPid, Us, marker, $"{LiveSilo}|0", workerStartTime: 3000, workerEndedBy: 4000,
            bridges: new HashSet<int> { 713 });

        Assert.Equal([710, 716], left.Select(o => o.Pid).Order());
        var orphan = left.Single(o => o.Pid == 710);
        Assert.Equal((710, true, true, false), (orphan.Pid, orphan.Reap, orphan.MarkerInEnvironment, orphan.SignalGroup));
        // Without the silo's list of its bridges, nothing with a marker on its command line is taken.
        Assert.Equal([710], SweepRules.LeftBehindBy(processes, OwnPid, Us, marker, $"{LiveSilo}|0", 3000, 4000).Select(o => o.Pid));
    }

    [Fact]
    public void Files_of_another_cluster_or_host_are_ignored()
    {
        var record = DeadRecord(600, start: 2000);
        var plan = SweepRules.Judge(new SweepFactsBuilder()
            .With(Process(600, 2000, record.Marker))
            .WithFile("/a", DeadFile(record) with { ClusterId = "c2" })
            .WithFile("/b", DeadFile(record) with { Host = "host-2" })
            .Build());

        Assert.Empty(plan.Terminate);
        Assert.Empty(plan.DeadIncarnations);
    }
}
