using DSPex.Orleans.Client;
using System.Net.Security;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// A real silo process with TLS and API keys, attacked the way the issue describes: a plain Orleans client, a
/// certificate from another CA, no or a wrong key, a key used outside its scope, another credential's session,
/// and direct calls to the internal grains.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class TrustBoundaryTests(TlsSiloFixture fixture) : IClassFixture<TlsSiloFixture>
{
    [Fact]
    public async Task AClientWithTheCaAndAKeyRunsCommandsOverTls()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.FullKey);
        using (host)
        {
            Assert.Contains("over-tls", await client.ExecuteRawAsync("echo", "{\"text\":\"over-tls\"}"));
            await host.StopAsync();
        }
    }

    [Fact]
    public Task APlaintextClientIsRefused() => fixture.AssertRefusedAsync(o => o.ApiKey = fixture.FullKey);

    [Fact]
    public async Task AClientCertificateFromAnotherCaIsRefused()
    {
        using var stranger = new TestCertificates("stranger");
        var (certificate, key) = stranger.Issue("intruder");
        await fixture.AssertRefusedAsync(o =>
        {
            o.ApiKey = fixture.FullKey;
            o.Tls.CaFile = fixture.Certificates.CaFile;
            o.Tls.CertificateFile = certificate;
            o.Tls.KeyFile = key;
        });
    }

    [Fact]
    public void OnlyTheConfiguredCaIsTrusted()
    {
        using var stranger = new TestCertificates("stranger-ca");
        var (certificate, _) = fixture.Certificates.Issue("silo-check");
        using var silo = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(certificate);
        Assert.True(new CaBundle(fixture.Certificates.CaFile, "test").Validate(silo, null, SslPolicyErrors.None));
        // Even when the machine's own validation had no complaint, a certificate outside the bundle is refused.
        Assert.False(new CaBundle(stranger.CaFile, "test").Validate(silo, null, SslPolicyErrors.None));
    }

    [Fact]
    public async Task AClientCertificateOfTheClusterCaIsAccepted()
    {
        var (certificate, key) = fixture.Certificates.Issue("client");
        var (host, client) = await fixture.ConnectAsync(fixture.FullKey, o =>
        {
            o.Tls.CertificateFile = certificate;
            o.Tls.KeyFile = key;
        });
        using (host)
        {
            Assert.Contains("pong", await client.ExecuteRawAsync("ping"));
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task NoKeyOrAWrongKeyIsUnauthenticatedAndNothingRuns()
    {
        var (owner, ownerClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (anonymous, anonymousClient) = await fixture.ConnectAsync(null);
        var (wrong, wrongClient) = await fixture.ConnectAsync(ApiKeys.New());
        using (owner)
        using (anonymous)
        using (wrong)
        {
            var servedBefore = await ServedAsync(ownerClient);
            var none = await Assert.ThrowsAsync<UnauthenticatedException>(() => anonymousClient.ExecuteRawAsync("echo", "{}"));
            Assert.Equal(DSPexErrorKind.Unauthenticated, none.Kind);
            Assert.Contains("none was sent", none.Message);
            await Assert.ThrowsAsync<UnauthenticatedException>(() => wrongClient.ExecuteRawAsync("echo", "{}"));
            await Assert.ThrowsAsync<UnauthenticatedException>(() => wrongClient.GetClusterStatsAsync());
            await Assert.ThrowsAsync<UnauthenticatedException>(() => wrongClient.SweepAsync());
            await Assert.ThrowsAsync<UnauthenticatedException>(() => wrongClient.Session("unauthenticated").CreateAsync());
            await Assert.ThrowsAsync<UnauthenticatedException>(async () =>
            {
                await foreach (var _ in wrongClient.StreamRawAsync("echo", "{}"))
                {
                }
            });
            Assert.Equal(servedBefore, await ServedAsync(ownerClient));
            await Task.WhenAll(owner.StopAsync(), anonymous.StopAsync(), wrong.StopAsync());
        }
    }

    [Fact]
    public async Task TwoKeysAreValidAtOnceForRotation()
    {
        var (current, currentClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (next, nextClient) = await fixture.ConnectAsync(fixture.NextKey);
        using (current)
        using (next)
        {
            Assert.Contains("pong", await currentClient.ExecuteRawAsync("ping"));
            Assert.Contains("pong", await nextClient.ExecuteRawAsync("ping"));
            await Task.WhenAll(current.StopAsync(), next.StopAsync());
        }
    }

    [Fact]
    public async Task AScopedKeyIsForbiddenWhatItWasNotGiven()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.EchoOnlyKey);
        using (host)
        {
            Assert.Contains("scoped", await client.ExecuteRawAsync("echo", "{\"v\":\"scoped\"}"));
            var command = await Assert.ThrowsAsync<ForbiddenException>(() => client.ExecuteRawAsync("ping"));
            Assert.Equal("command:ping", command.Scope);
            Assert.Contains("echo-only", command.Message);
            Assert.Equal("stats", (await Assert.ThrowsAsync<ForbiddenException>(() => client.GetClusterStatsAsync())).Scope);
            Assert.Equal("sweep", (await Assert.ThrowsAsync<ForbiddenException>(() => client.SweepAsync())).Scope);
            var stream = await Assert.ThrowsAsync<ForbiddenException>(async () =>
            {
                await foreach (var _ in client.StreamRawAsync("echo", "{}"))
                {
                }
            });
            Assert.Equal("stream", stream.Scope);
            // An upload is a call: the command's scope decides (echo returns without reading its chunks).
            Assert.Contains("uploaded", (await client.UploadAsync("echo", new MemoryStream(new byte[3]), new { v = "uploaded" })).Json);
            Assert.Equal("command:ping", (await Assert.ThrowsAsync<ForbiddenException>(() => client.UploadAsync("ping", new MemoryStream(new byte[3])))).Scope);
            var session = client.Session($"scoped-{Guid.NewGuid():N}");
            Assert.Contains("in session", await session.ExecuteRawAsync("echo", "{\"v\":\"in session\"}"));
            Assert.Equal("command:ping", (await Assert.ThrowsAsync<ForbiddenException>(() => session.ExecuteRawAsync("ping"))).Scope);
            // A session's upload is a session call (sessions, execute and the command's scope); its stream of data is a
            // stream (the stream scope, which this key lacks), as its JSON streams are.
            Assert.Contains("session upload", (await session.UploadAsync("echo", new MemoryStream(new byte[3]), new { v = "session upload" })).Json);
            Assert.Equal("command:ping", (await Assert.ThrowsAsync<ForbiddenException>(() => session.UploadAsync("ping", new MemoryStream(new byte[3])))).Scope);
            Assert.Equal("stream", (await Assert.ThrowsAsync<ForbiddenException>(async () =>
            {
                await foreach (var _ in session.StreamDataAsync("echo"))
                {
                }
            })).Scope);
            Assert.Equal("program:my_program", (await Assert.ThrowsAsync<ForbiddenException>(() =>
                session.CreateProgramAsync("p", new { type = "my_program" }))).Scope);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AnotherCredentialsSessionIsNeitherSeenNorTouched()
    {
        // Session ids are namespaced per credential (issue 20): the same id used by another credential is another
        // session (it used to be "not found", which told that the id existed); SessionNamespaceTests has the rest.
        var (owner, ownerClient) = await fixture.ConnectAsync(fixture.FullKey);
        var (other, otherClient) = await fixture.ConnectAsync(fixture.NextKey);
        using (owner)
        using (other)
        {
            var id = $"owned-{Guid.NewGuid():N}";
            var mine = ownerClient.Session(id);
            await mine.CreateAsync();
            await mine.SetVariableAsync("secret", "owner's");

            var theirs = otherClient.Session(id);
            Assert.Null(await theirs.GetInfoAsync());
            Assert.Equal("{}", await theirs.GetVariablesJsonAsync());
            Assert.False(await theirs.TouchAsync());
            await theirs.SetVariableAsync("secret", "overwritten");
            Assert.Contains("echo", await theirs.ExecuteRawAsync("echo", "{\"v\":\"echo\"}"));
            await theirs.DeleteAsync();

            Assert.NotNull(await mine.GetInfoAsync());
            Assert.Equal("owner's", await mine.GetVariableAsync<string>("secret"));
            await Task.WhenAll(owner.StopAsync(), other.StopAsync());
        }
    }

    [Fact]
    public async Task InternalGrainsRefuseClientsEvenWithAFullKey()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.FullKey);
        using (host)
        {
            var stats = await client.GetClusterStatsAsync();
            var pool = Assert.Single(stats.Pools);
            var grains = host.Services.GetRequiredService<IGrainFactory>();

            var direct = await Assert.ThrowsAsync<ForbiddenException>(() =>
                grains.GetGrain<IPoolGrain>(pool.Silo).ExecuteAsync(new ExecuteRequest("echo", "{}")).AsTask());
            Assert.Equal("internal", direct.Scope);
            await Assert.ThrowsAsync<ForbiddenException>(() => grains.GetGrain<IPoolGrain>(pool.Silo).GetStatsAsync());
            var worker = pool.WorkerDetails[0];
            await Assert.ThrowsAsync<ForbiddenException>(() => grains.GetGrain<IWorkerGrain>(worker.WorkerId).RecycleAsync(worker.Pid));
            await Assert.ThrowsAsync<ForbiddenException>(() => grains.GetGrain<ISiloReaperGrain>(pool.Silo).SweepAsync("attacker"));

            // The worker was not recycled: the same process still serves.
            var after = Assert.Single((await client.GetClusterStatsAsync()).Pools);
            Assert.Contains(after.WorkerDetails, w => w.WorkerId == worker.WorkerId && w.Pid == worker.Pid);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task TheBenchmarkFloorGrainDoesNotExistInAProductionSiloEvenForAFullKey()
    {
        var (host, client) = await fixture.ConnectAsync(fixture.FullKey);
        using (host)
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
                grains.GetGrain<IBenchmarkFloorGrain>(0).ExecuteAsync(new ExecuteRequest("echo", "{}")).AsTask());
            Assert.Contains(nameof(IBenchmarkFloorGrain), failure.ToString(), StringComparison.Ordinal);
            await host.StopAsync();
        }
    }

    private static async Task<long> ServedAsync(DSPexClient client) => (await client.GetClusterStatsAsync()).Pools.Sum(p => p.Served);
}
