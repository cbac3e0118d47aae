using DSPex.Orleans.Workers.Supervision;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>The hung-worker rule on its own: silent for the timeout by the clock and by the health ticks that asked.</summary>
[Trait("Category", "Unit")]
public sealed class HeartbeatWatchTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private const long Start = 1_000_000;

    [Fact]
    public void A_worker_silent_for_the_timeout_over_as_many_ticks_is_hung_and_not_a_tick_earlier()
    {
        var watch = new HeartbeatWatch(Interval, Timeout);
        Assert.Equal(8, watch.TicksToHang);
        Assert.Null(watch.Check(Start, answers: 5, lastAnswerAtMs: Start, siloWasPaused: false));

        for (var tick = 1; tick < 8; tick++)
        {
            Assert.Null(watch.Check(Start + (tick * 300), answers: 5, lastAnswerAtMs: Start, siloWasPaused: false));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(2_400), watch.Check(Start + 2_400, answers: 5, lastAnswerAtMs: Start, siloWasPaused: false));
        Assert.Equal(8, watch.UnansweredTicks);
    }

    [Fact]
    public void A_worker_that_answers_between_ticks_is_never_hung_even_when_its_timestamp_reads_old()
    {
        // An answer's timestamp written late (its thread stopped between reading the clock and storing) still counts.
        var watch = new HeartbeatWatch(Interval, Timeout);
        for (var tick = 0; tick < 50; tick++)
        {
            Assert.Null(watch.Check(Start + (tick * 250), answers: tick, lastAnswerAtMs: Start, siloWasPaused: false));
        }
    }

    [Fact]
    public void Silence_by_the_clock_alone_is_no_hang_the_silo_asked_too_few_times()
    {
        var watch = new HeartbeatWatch(Interval, Timeout);
        Assert.Null(watch.Check(Start, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        Assert.Null(watch.Check(Start + 10_000, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        Assert.Null(watch.Check(Start + 20_000, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        Assert.Equal(2, watch.UnansweredTicks);
    }

    [Fact]
    public void Ticks_alone_are_no_hang_the_silence_must_also_last_the_timeout()
    {
        var watch = new HeartbeatWatch(Interval, Timeout);
        for (var tick = 0; tick < 20; tick++)
        {
            Assert.Null(watch.Check(Start + (tick * 50), answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        }

        Assert.Equal(19, watch.UnansweredTicks);
    }

    [Fact]
    public void A_pause_of_the_silo_restarts_both_the_count_and_the_deadline()
    {
        var watch = new HeartbeatWatch(Interval, Timeout);
        for (var tick = 0; tick < 7; tick++)
        {
            Assert.Null(watch.Check(Start + (tick * 250), answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        }

        var resumedAt = Start + 12_000;
        Assert.Null(watch.Check(resumedAt, answers: 1, lastAnswerAtMs: Start, siloWasPaused: true));
        Assert.Equal(0, watch.UnansweredTicks);
        for (var tick = 1; tick <= 8; tick++)
        {
            Assert.Null(watch.Check(resumedAt + (tick * 250), answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(2_250), watch.Check(resumedAt + 2_250, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
    }

    [Fact]
    public void An_answer_read_after_the_ticks_clock_reading_is_no_silence() =>
        Assert.Null(new HeartbeatWatch(Interval, Timeout).Check(Start, answers: 1, lastAnswerAtMs: Start + 5_000, siloWasPaused: false));

    [Fact]
    public void A_timeout_shorter_than_the_interval_still_takes_one_unanswered_tick()
    {
        var watch = new HeartbeatWatch(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal(1, watch.TicksToHang);
        Assert.Null(watch.Check(Start, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
        Assert.NotNull(watch.Check(Start + 5_000, answers: 1, lastAnswerAtMs: Start, siloWasPaused: false));
    }
}
