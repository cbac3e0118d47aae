namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// Decides when one worker is hung: it has left the heartbeats of enough health ticks in a row unanswered to cover the
/// timeout, and has been silent for the timeout by the clock. Counting ticks as well as time charges a worker only with
/// time the silo itself ran and asked: a stop of the silo (SIGSTOP, a frozen container, a debugger) or a starved health
/// loop adds no tick, whatever the clock says and however an answer's timestamp and a tick's reading interleave across
/// threads. A tick the pause detector judged a pause starts the count and the deadline again. Its only caller is the
/// health loop (one thread at a time); one watch follows one process.
/// </summary>
internal sealed class HeartbeatWatch
{
    private readonly TimeSpan _timeout;
    private readonly int _ticksToHang;
    private long _answersSeen = -1;
    private long _deadlineFromMs = long.MinValue;
    private int _unansweredTicks;

    /// <param name="interval">The health loop's period: one heartbeat asked per tick.</param>
    /// <param name="timeout">The silence after which a worker is hung.</param>
    public HeartbeatWatch(TimeSpan interval, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _timeout = timeout;
        _ticksToHang = Math.Max(1, (int)Math.Ceiling(timeout / interval));
    }

    /// <summary>Ticks in a row whose heartbeat went unanswered before a silent worker counts as hung.</summary>
    public int TicksToHang => _ticksToHang;

    /// <summary>Ticks in a row, up to the last check, that saw no new answer.</summary>
    public int UnansweredTicks => _unansweredTicks;

    /// <summary>
    /// One health tick: returns the silence when the worker is hung, else null.
    /// </summary>
    /// <param name="nowMs">The tick's one clock reading (<see cref="Environment.TickCount64"/> milliseconds).</param>
    /// <param name="answers">How many heartbeats the worker has answered so far: a change since the last tick is an answer.</param>
    /// <param name="lastAnswerAtMs">When it last answered (or shook hands), on the same clock.</param>
    /// <param name="siloWasPaused">The silo itself was not running since the last tick.</param>
    public TimeSpan? Check(long nowMs, long answers, long lastAnswerAtMs, bool siloWasPaused)
    {
        if (answers != _answersSeen)
        {
            _answersSeen = answers;
            _unansweredTicks = 0;
        }
        else
        {
            _unansweredTicks++;
        }

        if (siloWasPaused)
        {
            _unansweredTicks = 0;
            _deadlineFromMs = nowMs;
        }

        // An answer read after the tick's clock reading is no silence.
        var silence = TimeSpan.FromMilliseconds(Math.Max(0, nowMs - Math.Max(lastAnswerAtMs, _deadlineFromMs)));
        return silence > _timeout && _unansweredTicks >= _ticksToHang ? silence : null;
    }
}
