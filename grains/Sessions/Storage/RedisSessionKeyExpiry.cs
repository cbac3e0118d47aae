using DSPex.Orleans.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DSPex.Orleans.Sessions.Storage;

/// <summary>
/// Sets the Redis key expiry of a session to its own TTL (the storage's write sets the longest one). Connects on
/// first use and keeps only a connection that succeeded: after a failed connect the next use tries again.
/// </summary>
internal sealed class RedisSessionKeyExpiry(IOptions<DSPexSessionOptions> options, IOptions<ClusterOptions> cluster) : ISessionKeyExpiry, IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public bool StoreRemovesExpiredSessions => true;

    public async Task ExpireAsync(string sessionId, TimeSpan ttl)
    {
        var redis = await ConnectAsync();
        await redis.GetDatabase().KeyExpireAsync(SessionStorageKeys.For(cluster.Value.ServiceId, sessionId), ttl);
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connecting.Dispose();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (Volatile.Read(ref _connection) is { } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync();
        try
        {
            return _connection ??= await ConnectionMultiplexer.ConnectAsync(options.Value.RedisConnectionString!);
        }
        finally
        {
            _connecting.Release();
        }
    }
}
