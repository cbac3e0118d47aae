using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// Sends an execute call again when its silo was lost and sending it again cannot run it twice: it did not run
/// (<see cref="CallOutcome.NotRun"/>), or it may have run but the caller said it is idempotent, or a session answers a
/// repeat of its call id from its record of the call. Every attempt carries the same call id and the time left of
/// the call's own deadline, with back-off between attempts, so a silo lost during a call makes it slower, not
/// failed. A call the caller cancelled is not sent again; a loss that may not be retried, or one past the deadline,
/// reaches the caller.
/// </summary>
internal static class SiloLossRetry
{
    private static readonly Backoff Backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    /// <param name="attempt">One attempt: its request timeout (the time left of the caller's, or none) to the response.</param>
    /// <param name="options">The caller's options: its timeout bounds all attempts; Idempotent allows a repeat of a call that may have run.</param>
    /// <param name="repeatsAnswered">True for session calls: the session answers a repeated call id from its record.</param>
    /// <param name="defaultDeadline">How long to keep trying a call without a timeout of its own.</param>
    /// <param name="cancellationToken">The caller's: once cancelled, no attempt is sent again.</param>
    public static async Task<ExecuteResponse> RunAsync(
        Func<TimeSpan?, ValueTask<ExecuteResponse>> attempt, RetryTerms? options, bool repeatsAnswered, TimeSpan defaultDeadline, CancellationToken cancellationToken)
    {
        var deadlineAt = Environment.TickCount64 + (long)(options?.Timeout ?? defaultDeadline).TotalMilliseconds;
        for (var tries = 0; ; tries++)
        {
            var timeout = options?.Timeout is null ? (TimeSpan?)null : Left(deadlineAt);
            try
            {
                var response = await attempt(timeout).ConfigureAwait(false);
                if (response.Error is not { Kind: DSPexErrorKind.SiloUnavailable, Recorded: false } error
                    || !MaySendAgain(error.Outcome, options, repeatsAnswered, cancellationToken))
                {
                    return response;
                }

                if (!await WaitAsync(tries, deadlineAt, cancellationToken).ConfigureAwait(false))
                {
                    return response;
                }
            }
            catch (Errors.SiloLostException e) when (MaySendAgain(e.Outcome, options, repeatsAnswered, cancellationToken))
            {
                if (!await WaitAsync(tries, deadlineAt, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    private static bool MaySendAgain(CallOutcome outcome, RetryTerms? options, bool repeatsAnswered, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && (outcome == CallOutcome.NotRun || options is { Idempotent: true } || repeatsAnswered);

    /// <summary>Waits before the next attempt; false when the deadline would pass first.</summary>
    private static async Task<bool> WaitAsync(int tries, long deadlineAt, CancellationToken cancellationToken)
    {
        var delay = Backoff.Delay(tries);
        if (Left(deadlineAt) <= delay)
        {
            return false;
        }

        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Left(long deadlineAt) => TimeSpan.FromMilliseconds(Math.Max(1, deadlineAt - Environment.TickCount64));
}
