using Orleans.Persistence.Redis;
using StackExchange.Redis;

namespace DSPex.Orleans.Calls;

/// <summary>
/// Tells, by type, a failure of the Redis store that holds sessions (unreachable, timed out, refused) from other
/// failures, so a session call during a Redis outage is answered StorageUnavailable naming Redis, not Internal.
/// </summary>
internal static class SessionStoreFailures
{
    private const int MaxDepth = 8;

    /// <summary>True when <paramref name="failure"/> or one of its causes is a Redis failure.</summary>
    public static bool IsRedisFailure(Exception failure)
    {
        var depth = 0;
        for (var e = failure; e is not null && depth < MaxDepth; e = e.InnerException, depth++)
        {
            if (e is RedisException or RedisTimeoutException or RedisStorageException)
            {
                return true;
            }
        }

        return false;
    }
}
