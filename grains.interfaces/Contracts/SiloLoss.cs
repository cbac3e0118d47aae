using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Contracts;

/// <summary>
/// Tells a call lost with a silo from any other failure, by the runtime's exception type (never its message), and
/// what is known of whether it ran. Used where such a failure is turned into a typed error: the client library and
/// the grains that call other grains (a gateway's router calling a session on a silo that just died).
/// </summary>
public static class SiloLoss
{
    // Exceptions wrap each other (an activation failure around a transport one); a short walk finds the cause.
    private const int MaxDepth = 8;

    /// <summary>The outcome of a call that failed with <paramref name="failure"/> because a silo was lost; null when it failed otherwise.</summary>
    public static CallOutcome? Classify(Exception failure)
    {
        var depth = 0;
        for (var e = failure; e is not null && depth < MaxDepth; e = e.InnerException, depth++)
        {
            switch (e)
            {
                // Raised for a request that was delivered to a silo that then died: it may have run.
                case global::Orleans.Runtime.SiloUnavailableException:
                    return CallOutcome.OutcomeUnknown;
                // The runtime refuses a message before it is delivered to a grain (a send to a silo known dead, a stale
                // route, an overloaded or shutting-down silo): nothing ran.
                case OrleansMessageRejectionException:
                    return CallOutcome.NotRun;
                // No connection could be opened, so the message was never sent.
                case ConnectionFailedException:
                    return CallOutcome.NotRun;
                // The answer did not come back in time: the silo may have run it and died, or still be running it.
                case TimeoutException:
                    return CallOutcome.OutcomeUnknown;
            }
        }

        return null;
    }
}
