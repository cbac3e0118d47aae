using DSPex.Orleans.Pool;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>The health loop's test of its own pace: a tick long after the previous one is the silo's pause, not the workers'.</summary>
[Trait("Category", "Unit")]
public sealed class SiloPauseDetectorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Ticks_at_the_loops_pace_are_not_pauses()
    {
        var detector = new SiloPauseDetector(Interval, SiloPauseDetector.ToleranceFor(Timeout), startedMs: 0);
        Assert.Null(detector.Tick(1_000));
        for (var now = 2_000L; now < 60_000; now += 1_000)
        {
            Assert.Null(detector.Tick(now));
        }
    }

    [Fact]
    public void A_late_tick_within_the_tolerance_is_charged_as_usual()
    {
        var detector = new SiloPauseDetector(Interval, SiloPauseDetector.ToleranceFor(Timeout), startedMs: 0);
        detector.Tick(1_000);
        Assert.Null(detector.Tick(1_000 + 6_000)); // 5 s late: half the timeout is the tolerance
    }

    [Fact]
    public void A_silo_stopped_for_40_seconds_is_a_pause_of_that_length_and_the_next_tick_is_not()
    {
        var detector = new SiloPauseDetector(Interval, SiloPauseDetector.ToleranceFor(Timeout), startedMs: 0);
        detector.Tick(1_000);
        detector.Tick(2_000);
        Assert.Equal(TimeSpan.FromSeconds(41), detector.Tick(43_000));
        Assert.Null(detector.Tick(44_000));
    }

    [Fact]
    public void A_silo_stopped_before_the_first_tick_is_a_pause_measured_from_the_loops_start()
    {
        // The silo was stopped right after its warm-up (the loop started at 1 s) and resumed at 41 s: the first tick
        // had no earlier tick, and on main it reported no pause, so the workers' deadlines were charged the stop.
        var detector = new SiloPauseDetector(Interval, SiloPauseDetector.ToleranceFor(Timeout), startedMs: 1_000);
        Assert.Equal(TimeSpan.FromSeconds(40), detector.Tick(41_000));
        Assert.Null(detector.Tick(42_000));
    }

    [Fact]
    public void A_first_tick_at_the_loops_pace_is_not_a_pause()
    {
        var detector = new SiloPauseDetector(Interval, SiloPauseDetector.ToleranceFor(Timeout), startedMs: 5_000);
        Assert.Null(detector.Tick(6_000));
    }
}
