using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// Real silo processes over TLS whose membership, reminders and sessions live in a Redis that requires a
/// password: two silos with the cluster's certificates form a cluster; a third with Redis access but a
/// certificate of another CA cannot join.
/// </summary>
[Trait("Category", "Redis")]
public sealed class TlsClusterTests
{
    private const string ServiceId = "dspex";

    [Fact]
    public async Task TwoTlsSilosFormAClusterAndOneWithoutTheClusterCertificateCannotJoin()
    {
        await using var redis = new RedisServer { Password = ApiKeys.New() };
        await redis.InitializeAsync();
        using var certificates = new TestCertificates("cluster");
        using var stranger = new TestCertificates("stranger");
        using var state = new TemporaryDirectory();
        var clusterId = $"tls-{Guid.NewGuid():N}";
        var key = ApiKeys.New();

        RealSiloSettings Member(string name, TestCertificates issuer)
        {
            var settings = issuer.SiloSettings(name);
            settings["DSPex:Security:Tls:CaFile"] = certificates.CaFile;
            foreach (var (k, v) in ApiKeys.Settings(("app", key, ["*"])))
            {
                settings[k] = v;
            }

            return RealSiloSettings.WithRedis(state.Path, clusterId, redis.ConnectionString) with { Extra = settings };
        }

        await using var first = RealSiloProcess.Start(Member("silo-a", certificates));
        await first.Warm.WaitAsync(TimeSpan.FromMinutes(2));
        await using var second = RealSiloProcess.Start(Member("silo-b", certificates));
        await second.Warm.WaitAsync(TimeSpan.FromMinutes(2));

        var (host, client) = await first.ConnectAsync(o =>
        {
            o.ApiKey = key;
            o.Tls.CaFile = certificates.CaFile;
        });
        using (host)
        {
            await Eventually.HoldsAsync(async () => (await client.GetClusterStatsAsync()).Pools.Count, count => count == 2, "both TLS silos serve");

            // Sessions are stored in the password-protected Redis.
            var session = client.Session($"tls-{Guid.NewGuid():N}");
            await session.SetVariableAsync("kept", 42);
            await using (var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            {
                Assert.True(await direct.GetDatabase().KeyExistsAsync(SessionStorageKeys.For(ServiceId, DSPex.Orleans.Security.SessionKeys.GrainKey(session.SessionId, DSPex.Orleans.Security.SessionKeys.NamespaceOfKey(key)))));
            }

            await using var intruder = RealSiloProcess.Start(Member("intruder", stranger));
            var exitCode = await intruder.ExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.NotEqual(0, exitCode);
            Assert.Equal(2, (await client.GetClusterStatsAsync()).Pools.Count);
            // The members log each refusal through their logger's queue: the line can come after the intruder's exit.
            await Eventually.HoldsAsync(() => (first.Output + second.Output).Contains("Authentication failed", StringComparison.Ordinal), "a member logs the refused handshake");
            Assert.Equal(42, await session.GetVariableAsync<int>("kept"));
            await host.StopAsync();
        }
    }
}
