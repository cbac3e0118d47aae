using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Tests.Infrastructure;
using StackExchange.Redis;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>Sessions in a real Redis: they outlive the cluster, and expire from Redis with their TTL.</summary>
[Trait("Category", "Redis")]
[Collection(TestSuite.SideBySide.RedisSessionStorage)]
public sealed class RedisSessionStorageTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private Dictionary<string, string> RedisSessions => new() { ["RedisConnectionString"] = redis.ConnectionString };

    [Fact]
    public async Task A_session_survives_stopping_and_starting_the_whole_cluster()
    {
        var serviceId = $"svc-{Guid.NewGuid():N}";
        var sessionId = $"durable-{Guid.NewGuid():N}";

        var first = await TestClusters.StartAsync(2, sessions: RedisSessions, serviceId: serviceId);
        try
        {
            var session = new DSPexClient(first.Client).Session(sessionId, new SessionOptions(Metadata: new Dictionary<string, string> { ["team"] = "search" }));
            await session.CreateProgramAsync("greet", new { type = "template", template = "Hello {name}" });
            await session.SetVariableAsync("owner", "ada");
            await session.ExecuteRawAsync("remember", """{"name":"count","value":41}""");
        }
        finally
        {
            await first.StopAndDisposeAsync();
        }

        var second = await TestClusters.StartAsync(2, sessions: RedisSessions, serviceId: serviceId);
        try
        {
            var session = new DSPexClient(second.Client).Session(sessionId);
            var info = await session.GetInfoAsync();
            Assert.NotNull(info);
            Assert.Equal("search", info!.Metadata["team"]);
            Assert.Equal(1, info.Counters["calls"]);
            Assert.Equal("ada", await session.GetVariableAsync<string>("owner"));
            Assert.Equal(41, await session.GetVariableAsync<int>("count"));
            var greeting = await session.ExecuteProgramAsync<JsonElement>("greet", new { name = "again" });
            Assert.Equal("Hello again", greeting.GetProperty("text").GetString());
        }
        finally
        {
            await second.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task Redis_removes_an_expired_session_even_with_no_silo_running()
    {
        var serviceId = $"svc-{Guid.NewGuid():N}";
        var sessionId = $"ttl-{Guid.NewGuid():N}";
        var cluster = await TestClusters.StartAsync(1, sessions: RedisSessions, serviceId: serviceId);
        try
        {
            await new DSPexClient(cluster.Client).Session(sessionId, new SessionOptions(Ttl: TimeSpan.FromSeconds(2))).SetVariableAsync("k", 1);
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = SessionStorageKeys.For(serviceId, sessionId);
        var db = connection.GetDatabase();
        var ttl = await db.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.True(ttl <= TimeSpan.FromSeconds(2), $"key expiry {ttl} should follow the session's TTL");
        await Eventually.HoldsAsync(() => db.KeyExistsAsync(key), exists => !exists, "Redis expired the session key");
    }

    [Fact]
    public async Task Concurrent_first_calls_on_redis_create_one_session()
    {
        var cluster = await TestClusters.StartAsync(2, sessions: RedisSessions, serviceId: $"svc-{Guid.NewGuid():N}");
        try
        {
            var client = new DSPexClient(cluster.Client);
            var sessionId = $"race-{Guid.NewGuid():N}";
            var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.Session(sessionId).CreateAsync()));
            Assert.Single(created.Select(c => c.CreatedAt).Distinct());
        }
        finally
        {
            await cluster.StopAndDisposeAsync();
        }
    }
}
