using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace DSPex.Orleans.Client;

/// <summary>
/// Every call the library makes to the cluster goes through here. A request Orleans rejected was never run by a
/// grain (the runtime refuses a message before delivering it: a send to a dead silo, a stale route after a
/// gateway died), so it is sent again, which routes it through a live gateway. Whatever transport failure is
/// left becomes the library's typed <see cref="Errors.SiloUnavailableException"/>.
/// </summary>
internal static class ClusterCalls
{
    // 100, 200, 400, 800 ms apart: about 1.5 s for a stale route to a dead gateway or silo to clear.
    private const int MaxAttempts = 5;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            // Not SiloUnavailableException: Orleans also raises it for a request that was delivered to a silo that
            // then died, which may have run.
            catch (OrleansMessageRejectionException e) when (e is not global::Orleans.Runtime.SiloUnavailableException && attempt < MaxAttempts)
            {
                await Task.Delay(FirstRetryDelay * (1 << (attempt - 1)));
            }
            catch (Exception e) when (e is global::Orleans.Runtime.SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or TimeoutException)
            {
                throw new Errors.SiloUnavailableException($"the cluster could not complete the call: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    public static ValueTask<T> Guard<T>(Func<Task<T>> call) => Guard(() => new ValueTask<T>(call()));

    public static Task Guard(Func<Task> call) => Guard(() => ReturnTrueAsync(call)).AsTask();

    private static async ValueTask<bool> ReturnTrueAsync(Func<Task> call)
    {
        await call();
        return true;
    }
}
