using DSPex.Orleans.Contracts;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// Every call the library makes to the cluster goes through here. A request the runtime refused before delivering it
/// (<see cref="CallOutcome.NotRun"/>: a send to a dead silo, a stale route after a gateway died, a placement that
/// still reaches for a silo not yet declared dead) never ran, so it is sent again, with back-off, until the cluster
/// has converged. Whatever failure is left becomes one of the library's typed exceptions, classified by the
/// exception's type (never its message) and keeping it as the inner exception.
/// </summary>
internal static class ClusterCalls
{
    // Long enough for the cluster to declare a dead silo dead (a few seconds with the silo's default membership
    // settings, about 15 s with Orleans' own), after which nothing routes to it; a caller's own CancellationToken
    // still ends the wait at any time.
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(30);

    /// <summary>Back-off between sends of a call that did not run: short at first, so a converged cluster is used at once.</summary>
    internal static readonly Backoff ResendBackoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));

    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> call)
    {
        var started = Environment.TickCount64;
        var attempt = 0;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (IsResendable(e)
                && TimeSpan.FromMilliseconds(Environment.TickCount64 - started) + ResendBackoff.Delay(attempt) < ResendWindow)
            {
                await Task.Delay(ResendBackoff.Delay(attempt++)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (Errors.DSPexException or OperationCanceledException))
            {
                throw Typed(e);
            }
        }
    }

    /// <summary>
    /// A call that only reads (or sets a value to what it names, which a repeat leaves the same): sent again after any
    /// silo loss within the resend window, also one that may have run.
    /// </summary>
    public static async ValueTask<T> GuardRepeatable<T>(Func<Task<T>> call)
    {
        var started = Environment.TickCount64;
        var attempt = 0;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (Errors.DSPexException or OperationCanceledException) && !IsOverSizeLimit(e) && SiloLoss.Classify(e) is not null
                && TimeSpan.FromMilliseconds(Environment.TickCount64 - started) + ResendBackoff.Delay(attempt) < ResendWindow)
            {
                await Task.Delay(ResendBackoff.Delay(attempt++)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (Errors.DSPexException or OperationCanceledException))
            {
                throw Typed(e);
            }
        }
    }

    /// <summary>A failure the runtime raised before the call reached a grain (not one over the message size limit, which would fail again).</summary>
    private static bool IsResendable(Exception e) =>
        e is not (Errors.DSPexException or OperationCanceledException) && !IsOverSizeLimit(e) && SiloLoss.Classify(e) == CallOutcome.NotRun;

    /// <summary>
    /// Whatever else reaches the caller as a typed error with a one-line message and the original as its inner
    /// exception: a grain's refusal of the request (<see cref="DSPexRequestException"/>: bad input, a session limit)
    /// as the exception of its kind, a message over Orleans' size limit, the session store unreachable, a silo lost
    /// (with whether the call may have run), an argument Orleans or a grain rejected, or an exception raised inside
    /// a silo (its stack stays out of the message).
    /// </summary>
    public static Errors.DSPexException Typed(Exception e)
    {
        if (e is DSPexRequestException refusal)
        {
            return Errors.DSPexException.From(refusal);
        }

        if (IsOverSizeLimit(e))
        {
            return new Errors.FrameTooLargeException($"the message is over Orleans' size limit: {FirstLine(e.Message)}", null, e);
        }

        if (StorageFailures.Find(e) is { } storage)
        {
            return new Errors.StorageUnavailableException(
                $"the session store (Redis) is unavailable: {storage.GetType().Name}: {FirstLine(storage.Message)}", e);
        }

        if (SiloLoss.Classify(e) is { } outcome)
        {
            return new Errors.SiloLostException(
                $"the cluster could not complete the call ({Describe(outcome)}): {e.GetType().Name}: {FirstLine(e.Message)}", outcome, e);
        }

        return e is ArgumentException
            ? new Errors.InvalidArgumentsException($"the cluster refused an argument: {FirstLine(e.Message)}", e)
            : new Errors.InternalErrorException($"the call failed: {e.GetType().Name}: {FirstLine(e.Message)}", e);
    }

    /// <summary>How a silo loss left the call, in words for messages.</summary>
    internal static string Describe(CallOutcome outcome) =>
        outcome == CallOutcome.NotRun ? "it did not run" : "it may have run";

    // Orleans refuses to send a message whose body is over MaxMessageBodySize with an invalid-frame exception.
    private static bool IsOverSizeLimit(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is InvalidMessageFrameException)
            {
                return true;
            }
        }

        return false;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    /// <summary>Maps failures to typed errors without sending again (for calls that must not repeat, like a stream's next item).</summary>
    public static async ValueTask<T> Once<T>(Func<ValueTask<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (Errors.DSPexException or OperationCanceledException))
        {
            throw Typed(e);
        }
    }

    public static ValueTask<T> Guard<T>(Func<Task<T>> call) => Guard(() => new ValueTask<T>(call()));

    public static Task Guard(Func<Task> call) => Guard(() => ReturnTrueAsync(call)).AsTask();

    private static async ValueTask<bool> ReturnTrueAsync(Func<Task> call)
    {
        await call().ConfigureAwait(false);
        return true;
    }
}
