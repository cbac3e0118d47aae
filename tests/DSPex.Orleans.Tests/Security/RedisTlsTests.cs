using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// A silo whose Redis (membership, reminders, sessions) speaks only TLS and requires a password. The connection
/// string carries "ssl=true,password=..."; the private CA that signed Redis' certificate is named by
/// StackExchange.Redis' SERedis_IssuerCertPath environment variable, which every Redis connection of the silo honours.
/// </summary>
[Trait("Category", "Redis")]
[Collection(TestSuite.SideBySide.RedisTls)]
public sealed class RedisTlsTests
{
    [Fact]
    public async Task ASiloRunsOnARedisThatRequiresTlsAndAPassword()
    {
        using var certificates = new TestCertificates("redis");
        var (certificate, key) = certificates.Issue("redis");
        await using var redis = new RedisServer { Password = ApiKeys.New(), Tls = new RedisTlsFiles(certificate, key, certificates.CaFile) };
        await redis.InitializeAsync();
        using var state = new TemporaryDirectory();
        var settings = RealSiloSettings.WithRedis(state.Path, $"redis-tls-{Guid.NewGuid():N}", redis.ConnectionString) with
        {
            Environment = new Dictionary<string, string> { ["SERedis_IssuerCertPath"] = certificates.CaFile },
        };

        await using var silo = RealSiloProcess.Start(settings);
        await silo.Warm.WaitAsync(TimeSpan.FromMinutes(2));
        var (host, client) = await silo.ConnectAsync(o => o.RedisConnectionString = null);
        using (host)
        {
            var session = client.Session($"redis-tls-{Guid.NewGuid():N}");
            await session.SetVariableAsync("kept", "over tls");

            var options = ConfigurationOptions.Parse(redis.ConnectionString);
            options.TrustIssuer(certificates.CaFile);
            await using var direct = await ConnectionMultiplexer.ConnectAsync(options);
            Assert.True(await direct.GetDatabase().KeyExistsAsync(SessionStorageKeys.For("dspex", session.SessionId)));
            // Membership is in the same Redis: this silo is listed there.
            var server = direct.GetServer(direct.GetEndPoints()[0]);
            Assert.Contains(server.Keys(pattern: $"*{settings.ClusterId}*"), _ => true);
            await host.StopAsync();
        }
    }
}
