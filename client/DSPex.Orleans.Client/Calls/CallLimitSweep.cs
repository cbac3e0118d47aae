namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// Fails calls that are past their limit: one sweep for all calls rather than a timer per call. It runs only while
/// calls are in flight and stops when none are left; the next call starts it again.
/// </summary>
internal sealed class CallLimitSweep(InFlightCalls calls)
{
    /// <summary>How often call limits are checked.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private int _sweeping;

    /// <summary>Starts the sweep unless it is running; called after a call was added.</summary>
    public void EnsureRunning()
    {
        if (Volatile.Read(ref _sweeping) == 0 && Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
        {
            _ = SweepAsync();
        }
    }

    private async Task SweepAsync()
    {
        while (true)
        {
            await Task.Delay(Interval).ConfigureAwait(false);
            var now = Environment.TickCount64;
            foreach (var call in calls.Current)
            {
                if (now >= call.LimitAt)
                {
                    call.Lose($"no answer from the cluster within {call.Limit.TotalSeconds:0} s (the call's deadline plus queueing); the silo serving it may be gone");
                }
            }

            if (calls.IsEmpty)
            {
                Volatile.Write(ref _sweeping, 0);
                // A call registered just before the flag was cleared saw it set and did not start a sweep.
                if (calls.IsEmpty || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
                {
                    return;
                }
            }
        }
    }
}
