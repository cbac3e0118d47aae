namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// A silo told to require client certificates: a client over TLS without one is refused at the handshake, one
/// with a certificate of the cluster's CA runs commands.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.ClientCertificateRequired)]
public sealed class ClientCertificateRequiredTests
{
    [Fact]
    public async Task AClientWithoutACertificateIsRefusedAndOneWithTheClustersIsServed()
    {
        await using var fixture = new TlsSiloFixture
        {
            ExtraSettings = new Dictionary<string, string> { ["DSPex:Security:Tls:RequireClientCertificate"] = "true" },
        };
        await fixture.InitializeAsync();

        await fixture.AssertRefusedAsync(o =>
        {
            o.ApiKey = fixture.FullKey;
            o.Tls.CaFile = fixture.Certificates.CaFile;
        });

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
}
