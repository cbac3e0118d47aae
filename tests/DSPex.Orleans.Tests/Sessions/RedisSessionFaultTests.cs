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
            var variable = await Assert.ThrowsAsync<InternalErrorException>(() => session.SetVariableAsync("lost", 2));
            Assert.Equal(DSPexErrorKind.Internal, variable.Kind);
            Assert.Contains("not kept", variable.Message);
            await Assert.ThrowsAsync<InternalErrorException>(() => session.CreateProgramAsync("lost", spec));
            await Assert.ThrowsAsync<InternalErrorException>(() => session.CreateProgramAsync("kept", spec));

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
