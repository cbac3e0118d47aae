using DSPex.Orleans.Client.Errors;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Client;

/// <summary>
/// Turns Orleans' transport failures (a gateway or silo gone mid-call) into the library's typed
/// <see cref="Errors.SiloUnavailableException"/>, so callers handle one family of errors.
/// </summary>
internal static class ClusterCalls
{
    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is global::Orleans.Runtime.SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or TimeoutException)
        {
            throw new Errors.SiloUnavailableException($"the cluster could not complete the call: {e.GetType().Name}: {e.Message}");
        }
    }

    public static ValueTask<T> Guard<T>(Func<Task<T>> call) => Guard(() => new ValueTask<T>(call()));
}
