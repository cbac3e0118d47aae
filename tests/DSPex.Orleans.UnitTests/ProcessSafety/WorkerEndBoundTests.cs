using DSPex.Orleans.Workers.ProcessSafety;
using static DSPex.Orleans.UnitTests.ProcessSafety.SweepFactsBuilder;

namespace DSPex.Orleans.UnitTests.ProcessSafety;

[Trait("Category", "Unit")]
public sealed class WorkerEndBoundTests
{
    private static readonly string SlotMarker = Marker(LiveSilo, 0, LiveToken);

    [Fact]
    public void A_late_process_gone_reading_spares_the_slots_next_worker_while_it_starts()
    {
        // The pipe closed at 4000; the supervisor started the slot's next worker at 4050 (same marker on its command
        // line, not yet in the registry); the process-gone continuation ran at 4100.
        var clock = new Queue<ulong>([4000, 4100]);
        var bound = new WorkerEndBound(clock.Dequeue);
        var pipeClosedBy = bound.PipeClosed();
        var processGoneBy = bound.ProcessGone();
        var processes = new[]
        {
            Process(720, 3500, SlotMarker, parent: OwnPid, environment: SlotMarker), // a fork of the dead bridge
            Process(721, 4050, SlotMarker, parent: OwnPid, environment: SlotMarker), // the next worker, starting
        };

        Assert.Equal((4000ul, 4000ul), (pipeClosedBy, processGoneBy));
        Assert.Equal([720], LeftBy(processes, processGoneBy));
        Assert.Equal([720], LeftBy(processes, pipeClosedBy));
        // What the unbounded reading would have judged: the starting worker a fork of the dead one.
        Assert.Equal([720, 721], LeftBy(processes, 4100));
    }

    [Fact]
    public void A_process_gone_before_its_pipe_closed_is_bounded_by_its_own_reading()
    {
        var clock = new Queue<ulong>([3900, 4000]);
        var bound = new WorkerEndBound(clock.Dequeue);

        Assert.Equal(3900ul, bound.ProcessGone());
        Assert.Equal(4000ul, bound.PipeClosed()); // what was spawned until the pipe closed is still the dead worker's
    }

    [Fact]
    public void An_earlier_process_gone_reading_is_not_raised_to_the_pipe_closed_reading()
    {
        // Two threads: the process-gone continuation read the clock (3950) before the reader stored its reading (4000).
        var readings = new Queue<ulong>([4000, 3950]);
        var bound = new WorkerEndBound(readings.Dequeue);
        bound.PipeClosed();

        Assert.Equal(3950ul, bound.ProcessGone());
    }

    private static IEnumerable<int> LeftBy(IEnumerable<Workers.ProcessSafety.ProcessSnapshot> processes, ulong endedBy) =>
        SweepRules.LeftBehindBy(processes, OwnPid, Us, SlotMarker, $"{LiveSilo}|0", workerStartTime: 3000, workerEndedBy: endedBy,
            bridges: new HashSet<int>()).Select(o => o.Pid).Order();
}
