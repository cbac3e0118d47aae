using DSPex.Orleans.Workers.Timing;

namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Deadlines of the calls in flight: one timer per connection (created with the first deadline), armed at the
/// earliest one; when it fires, every pending call past its deadline and not yet answered is answered
/// <see cref="PendingCall.DeadlinePassed"/>. The call stays pending: Python's reply still frees its worker.
/// </summary>
internal sealed partial class BridgeConnection
{
    private DeadlineTimer? _deadlines; // created under _pending, on the first call with a deadline

    private void TrackDeadline(long deadlineAt)
    {
        if (deadlineAt == long.MaxValue)
        {
            return;
        }

        DeadlineTimer deadlines;
        lock (_pending)
        {
            if (_closedReason is not null)
            {
                return;
            }

            deadlines = _deadlines ??= new DeadlineTimer(SweepDeadlines);
        }

        deadlines.Track(deadlineAt);
    }

    private void SweepDeadlines()
    {
        List<PendingCall>? due = null;
        var next = long.MaxValue;
        DeadlineTimer? deadlines;
        lock (_pending)
        {
            var now = DeadlineTimer.Now;
            foreach (var call in _pending.Values)
            {
                if (call.DeadlineAt == long.MaxValue || call.Task.IsCompleted)
                {
                    continue;
                }

                if (call.DeadlineAt <= now)
                {
                    (due ??= []).Add(call);
                }
                else
                {
                    next = Math.Min(next, call.DeadlineAt);
                }
            }

            deadlines = _deadlines;
        }

        deadlines?.Track(next);
        if (due is not null)
        {
            foreach (var call in due)
            {
                call.TryAnswerEarly(PendingCall.DeadlinePassed);
            }
        }
    }

    /// <summary>The connection closed: its pending calls are failed, so no deadline is left to sweep.</summary>
    private void StopDeadlines()
    {
        DeadlineTimer? deadlines;
        lock (_pending)
        {
            deadlines = _deadlines;
            _deadlines = null;
        }

        deadlines?.Dispose();
    }
}
