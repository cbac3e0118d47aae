using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DSPex.Orleans.Diagnostics;

namespace DSPex.Orleans.UnitTests.Diagnostics;

/// <summary>The TLS check against real PEM files made here: a good pair from a CA, a key of another pair, an expired or
/// foreign certificate, files that cannot be read; and that no key material reaches a result.</summary>
[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsFilesCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dspex-tls-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_certificate_from_the_ca_with_its_key_passes()
    {
        var (ca, caKey) = Authority("Test CA");
        var (cert, key) = Issue(ca, caKey, "silo", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

        var result = await Check(Write("ca.pem", ca), Write("silo.pem", cert), Write("silo.key", key)).RunAsync(CancellationToken.None);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Contains(result.Details, d => d.Contains("CN=silo", StringComparison.Ordinal));
        Assert.DoesNotContain(key.Split('\n')[1], Everything(result));
    }

    [Fact]
    public async Task A_key_readable_by_every_user_is_a_warning_naming_the_key_file()
    {
        var (ca, caKey) = Authority("Test CA");
        var (cert, key) = Issue(ca, caKey, "silo", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var (caFile, certFile, keyFile) = (Write("ca.pem", ca), Write("silo.pem", cert), Write("silo.key", key));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var open = await Check(caFile, certFile, keyFile).RunAsync(CancellationToken.None);
        Assert.Equal(CheckStatus.Warn, open.Status);
        Assert.Equal("DSPex:Security:Tls:KeyFile", open.Setting);
        Assert.Contains("readable by every user", open.Summary, StringComparison.Ordinal);
        Assert.Contains("0644", open.Summary, StringComparison.Ordinal);

        // Group read (a Kubernetes fsGroup) is fine.
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Equal(CheckStatus.Pass, (await Check(caFile, certFile, keyFile).RunAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_key_of_another_pair_fails_naming_the_key_file_and_no_key_material()
    {
        var (ca, caKey) = Authority("Test CA");
        var (cert, _) = Issue(ca, caKey, "silo", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var (_, otherKey) = Issue(ca, caKey, "other", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

        var result = await Check(Write("ca.pem", ca), Write("silo.pem", cert), Write("other.key", otherKey)).RunAsync(CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal("DSPex:Security:Tls:KeyFile", result.Setting);
        Assert.Contains("not a usable pair", result.Summary, StringComparison.Ordinal);
        foreach (var line in otherKey.Split('\n').Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(line, Everything(result));
        }
    }

    [Fact]
    public async Task An_expired_certificate_fails_and_one_close_to_expiry_warns()
    {
        var (ca, caKey) = Authority("Test CA");
        var (expired, expiredKey) = Issue(ca, caKey, "old", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        var (soon, soonKey) = Issue(ca, caKey, "soon", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(3));
        var caFile = Write("ca.pem", ca);

        var old = await Check(caFile, Write("old.pem", expired), Write("old.key", expiredKey)).RunAsync(CancellationToken.None);
        var close = await Check(caFile, Write("soon.pem", soon), Write("soon.key", soonKey)).RunAsync(CancellationToken.None);

        Assert.Equal((CheckStatus.Fail, "DSPex:Security:Tls:CertificateFile"), (old.Status, old.Setting));
        Assert.Contains("expired", old.Summary, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, close.Status);
        Assert.Contains("expires in", close.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_fails_naming_the_ca_bundle()
    {
        var (ca, _) = Authority("Cluster CA");
        var (other, otherKey) = Authority("Other CA");
        var (cert, key) = Issue(other, otherKey, "intruder", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        var result = await Check(Write("ca.pem", ca), Write("cert.pem", cert), Write("cert.key", key)).RunAsync(CancellationToken.None);

        Assert.Equal((CheckStatus.Fail, "DSPex:Security:Tls:CaFile"), (result.Status, result.Setting));
        Assert.Contains("does not chain", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_that_cannot_be_read_fail_naming_the_file()
    {
        var (ca, _) = Authority("Test CA");
        var caFile = Write("ca.pem", ca);
        var missing = Path.Combine(_folder, "missing.pem");
        var directory = Directory.CreateDirectory(Path.Combine(_folder, "a-directory.pem")).FullName;

        var gone = await Check(caFile, missing, missing).RunAsync(CancellationToken.None);
        var notAFile = await Check(directory, null, null).RunAsync(CancellationToken.None);

        Assert.Equal((CheckStatus.Fail, "DSPex:Security:Tls:CertificateFile"), (gone.Status, gone.Setting));
        Assert.Contains("no such file", gone.Summary, StringComparison.Ordinal);
        Assert.Equal((CheckStatus.Fail, "DSPex:Security:Tls:CaFile"), (notAFile.Status, notAFile.Setting));
        Assert.Contains(directory, notAFile.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_off_is_skipped()
    {
        var result = await Check(null, null, null).RunAsync(CancellationToken.None);
        Assert.Equal(CheckStatus.Skip, result.Status);
    }

    private static TlsFilesCheck Check(string? ca, string? cert, string? key) => new("tls", "DSPex:Security:Tls", cert, key, ca);

    private static string Everything(CheckResult result) => string.Join("\n", [result.Summary, result.Setting ?? "", .. result.Details]);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        if (name.EndsWith(".key", StringComparison.Ordinal))
        {
            // As a private key should be (A_key_readable_by_every_user_is_a_warning opens one up).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    /// <summary>A CA: its certificate as PEM, and the certificate with its private key to issue from.</summary>
    private static (string Pem, X509Certificate2 Issuer) Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(365));
        return (certificate.ExportCertificatePem(), certificate);
    }

    private static (string Certificate, string Key) Issue(string caPem, X509Certificate2 issuer, string name, DateTimeOffset from, DateTimeOffset until)
    {
        _ = caPem; // issued by the CA whose PEM the test writes
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var certificate = request.Create(issuer, from, until, RandomNumberGenerator.GetBytes(8));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
