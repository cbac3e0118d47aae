using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Sessions;
using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>Sessions when their Redis is not there: each test starts (and ends) its own redis-server.</summary>
[Trait("Category", "Redis")]
[Collection(TestSuite.SideBySide.RedisSessionFault)]
public sealed class RedisSessionFaultTests
{
    [Fact]
    public async Task Key_expiry_connects_again_after_redis_was_unavailable_at_first_use()
    {
        var port = FreePorts.Next();
        var serviceId = $"svc-{Guid.NewGuid():N}";
        var sessionId = $"reconnect-{Guid.NewGuid():N}";
        using var expiry = new RedisSessionKeyExpiry(
            Options.Create(new DSPexSessionOptions { RedisConnectionString = $"127.0.0.1:{port},connectTimeout=2000" }),
            Options.Create(new ClusterOptions { ServiceId = serviceId }));
        await Assert.ThrowsAsync<RedisConnectionException>(() => expiry.ExpireAsync(sessionId, TimeSpan.FromMinutes(5)));

        var redis = RedisServer.OnPort(port);
        await redis.InitializeAsync();
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var db = connection.GetDatabase();
            var key = SessionStorageKeys.For(serviceId, sessionId);
            await db.StringSetAsync(key, "{}");

            await expiry.ExpireAsync(sessionId, TimeSpan.FromMinutes(5));
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_change_its_storage_cannot_save_is_not_left_live_in_the_session()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var cluster = await TestClusters.StartAsync(1,
            sessions: new Dictionary<string, string> { ["RedisConnectionString"] = redis.ConnectionString }, serviceId: $"svc-{Guid.NewGuid():N}");
        try
        {
            var session = new DSPexClient(cluster.Client).Session($"unsaved-{Guid.NewGuid():N}");
            var spec = new { type = "template", template = "Hi {name}" };
            await session.SetVariableAsync("kept", 1);
            await session.CreateProgramAsync("kept", spec);

            await redis.DisposeAsync();
            // Typed as the store being unavailable, naming Redis (issue 19: it was InternalError).
            var variable = await Assert.ThrowsAsync<StorageUnavailableException>(() => session.SetVariableAsync("lost", 2));
            Assert.Equal(DSPexErrorKind.StorageUnavailable, variable.Kind);
            Assert.Contains("not kept", variable.Message);
            Assert.Contains("Redis", variable.Message);
            await Assert.ThrowsAsync<StorageUnavailableException>(() => session.CreateProgramAsync("lost", spec));
            await Assert.ThrowsAsync<StorageUnavailableException>(() => session.CreateProgramAsync("kept", spec));

            // A session call is refused before it runs: its record cannot be written, so nothing runs.
            var call = await Assert.ThrowsAsync<StorageUnavailableException>(() => session.ExecuteRawAsync("echo", """{"x":1}"""));
            Assert.Contains("Redis", call.Message);

            var info = await session.GetInfoAsync();
            Assert.Equal(["kept"], info!.VariableNames);
            var program = Assert.Single(info.Programs);
            Assert.Equal(("kept", 1), (program.ProgramId, program.Revision));
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
            await redis.DisposeAsync();
        }
    }
}
