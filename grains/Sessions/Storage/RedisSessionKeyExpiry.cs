using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DSPex.Orleans.Sessions.Storage;

/// <summary>Sets the Redis key expiry of a session to its own TTL (the storage's write sets the default).</summary>
internal sealed class RedisSessionKeyExpiry(IOptions<DSPexSessionOptions> options, IOptions<ClusterOptions> cluster) : ISessionKeyExpiry, IDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection =
        new(() => ConnectionMultiplexer.ConnectAsync(options.Value.RedisConnectionString!));

    public async Task ExpireAsync(string sessionId, TimeSpan ttl)
    {
        var redis = await _connection.Value;
        await redis.GetDatabase().KeyExpireAsync(SessionStorageKeys.For(cluster.Value.ServiceId, sessionId), ttl);
    }

    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            _connection.Value.Result.Dispose();
        }
    }
}
