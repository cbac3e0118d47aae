using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// The real silo tells its log about its TLS files (issue 20, item 7): a private key every user of the host may read
/// is a warning at start, and a certificate file that a rotation replaced by something that is not a certificate is a
/// warning when the silo next reads it (a new connection), while the previous certificate keeps serving.
/// </summary>
[Trait("Category", "Process")]
[Collection(TestSuite.SideBySide.TlsFileWarning)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsFileWarningTests
{
    [Fact]
    public async Task AWorldReadableKeyAndAGarbageRotationAreLogged()
    {
        using var certificates = new TestCertificates("warned");
        using var state = new TemporaryDirectory();
        var settings = certificates.SiloSettings("silo");
        var keyFile = settings["DSPex:Security:Tls:KeyFile"];
        var certificateFile = settings["DSPex:Security:Tls:CertificateFile"];
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(state.Path) with { Extra = settings, PoolSize = 1 });
        await silo.Warm;
        await Eventually.HoldsAsync(() => silo.Output.Contains($"the private key '{keyFile}' is readable by every user", StringComparison.Ordinal), "the exposed key is logged");

        File.WriteAllText(certificateFile, "rotated to something that is not a certificate");
        var (host, client) = await silo.ConnectAsync(o => o.Tls.CaFile = certificates.CaFile);
        using (host)
        {
            // The handshake read the files again: the previous certificate still serves, and the log says why it is kept.
            Assert.Contains("pong", await client.ExecuteRawAsync("ping"));
            await Eventually.HoldsAsync(() => silo.Output.Contains($"the certificate '{certificateFile}'", StringComparison.Ordinal), "the failed rotation is logged");
            Assert.Contains("previous certificate stays in use", silo.Output, StringComparison.Ordinal);
            await host.StopAsync();
        }
    }
}
