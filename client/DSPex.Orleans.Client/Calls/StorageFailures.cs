using Orleans.Serialization;
using StackExchange.Redis;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// Finds, by type, a failure of the Redis store behind a call (a session that could not be read as it activated):
/// the silo turns the failures it catches into StorageUnavailable itself; this covers those raised by the runtime.
/// </summary>
internal static class StorageFailures
{
    private const int MaxDepth = 8;

    /// <summary>The Redis failure in <paramref name="failure"/> or its causes; null when there is none.</summary>
    public static Exception? Find(Exception failure)
    {
        var depth = 0;
        for (var e = failure; e is not null && depth < MaxDepth; e = e.InnerException, depth++)
        {
            if (e is RedisException or RedisTimeoutException
                // A type the client cannot load (the silo's Redis grain storage exception) arrives as a fallback that names it.
                || (e is UnavailableExceptionFallbackException fallback && (fallback.ExceptionType ?? "").Contains(".Redis", StringComparison.Ordinal)))
            {
                return e;
            }
        }

        return null;
    }
}
