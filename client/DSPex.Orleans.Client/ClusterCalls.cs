using DSPex.Orleans.Contracts;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Client;

/// <summary>
/// Every call the library makes to the cluster goes through here. A request Orleans rejected was never run by a
/// grain (the runtime refuses a message before delivering it: a send to a dead silo, a stale route after a
/// gateway died, a placement that still reaches for a silo not yet declared dead), so it is sent again, with
/// back-off, until the cluster has converged. Whatever transport failure is left becomes the library's typed
/// <see cref="Errors.SiloUnavailableException"/>.
/// </summary>
internal static class ClusterCalls
{
    // Long enough for Orleans to declare a dead silo dead (about 15 s with its default probes), after which
    // nothing routes to it; a caller's own CancellationToken still ends the wait at any time.
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstResendDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxResendDelay = TimeSpan.FromSeconds(2);

    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> call)
    {
        var started = Environment.TickCount64;
        var delay = FirstResendDelay;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            // Not SiloUnavailableException: Orleans also raises it for a request that was delivered to a silo that
            // then died, which may have run.
            catch (OrleansMessageRejectionException e) when (e is not global::Orleans.Runtime.SiloUnavailableException
                && TimeSpan.FromMilliseconds(Environment.TickCount64 - started) + delay < ResendWindow)
            {
                await Task.Delay(delay).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxResendDelay.Ticks));
            }
            catch (Exception e) when (e is not (Errors.DSPexException or OperationCanceledException))
            {
                throw Typed(e);
            }
        }
    }

    /// <summary>
    /// Whatever else reaches the caller as a typed error with a one-line message: a grain's refusal of the request
    /// (<see cref="DSPexRequestException"/>: bad input, a session limit) as the exception of its kind, Orleans refusing a message over its
    /// size limit, an argument Orleans or a grain rejected, or an exception raised inside a silo (its stack stays
    /// out of the message).
    /// </summary>
    public static Errors.DSPexException Typed(Exception e) => e switch
    {
        Contracts.DSPexRequestException refusal => Errors.DSPexException.From(refusal),
        OrleansException when e.Message.Contains("MaxMessageBodySize", StringComparison.Ordinal) =>
            new Errors.FrameTooLargeException($"the message is over Orleans' size limit: {FirstLine(e.Message)}", null),
        global::Orleans.Runtime.SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or TimeoutException =>
            new Errors.SiloUnavailableException($"the cluster could not complete the call: {e.GetType().Name}: {FirstLine(e.Message)}"),
        ArgumentException => new Errors.InvalidArgumentsException($"the cluster refused an argument: {FirstLine(e.Message)}"),
        _ => new Errors.InternalErrorException($"the call failed: {e.GetType().Name}: {FirstLine(e.Message)}"),
    };

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
