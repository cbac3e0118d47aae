using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.Tests.Security;

namespace DSPex.Orleans.UnitTests.Security;

/// <summary>Certificate rotation without a restart: the next connection uses the files as they are now.</summary>
[Trait("Category", "Unit")]
public sealed class ReloadingCertificateTests
{
    [Fact]
    public void RotatedFilesAreUsedAndAHalfWrittenPairKeepsThePreviousCertificate()
    {
        using var certificates = new TestCertificates("rotation");
        var (certificateFile, keyFile) = certificates.Issue("silo");
        var source = new ReloadingCertificate(certificateFile, keyFile, "test");
        var first = source.Current.Thumbprint;
        Assert.Equal(first, source.Current.Thumbprint);

        var (renewedCertificate, renewedKey) = certificates.Issue("silo-renewed");
        // cert-manager replaces the certificate first: until the key follows, the pair does not match.
        File.Copy(renewedCertificate, certificateFile, overwrite: true);
        Assert.Equal(first, source.Current.Thumbprint);
        File.Copy(renewedKey, keyFile, overwrite: true);
        var rotated = source.Current;
        Assert.NotEqual(first, rotated.Thumbprint);
        Assert.True(rotated.HasPrivateKey);
        Assert.Contains("silo-renewed", rotated.Subject);
    }

    [Fact]
    public void ARotationToGarbageIsReportedOnceAndKeepsThePreviousCertificate()
    {
        using var certificates = new TestCertificates("garbage-rotation");
        var (certificateFile, keyFile) = certificates.Issue("silo");
        var source = new ReloadingCertificate(certificateFile, keyFile, "test");
        var first = source.Current.Thumbprint;
        var reports = new List<string>();
        source.ReloadFailed += reports.Add;

        File.WriteAllText(certificateFile, "this is not a certificate");
        Assert.Equal(first, source.Current.Thumbprint);
        Assert.Equal(first, source.Current.Thumbprint);
        var report = Assert.Single(reports);
        Assert.Contains(certificateFile, report, StringComparison.Ordinal);
        Assert.Contains("previous certificate stays in use", report, StringComparison.Ordinal);

        // A proper pair written afterwards is picked up, and reports nothing.
        var (renewedCertificate, renewedKey) = certificates.Issue("silo-renewed");
        File.Copy(renewedKey, keyFile, overwrite: true);
        File.Copy(renewedCertificate, certificateFile, overwrite: true);
        Assert.Contains("silo-renewed", source.Current.Subject);
        Assert.Single(reports);
    }
}
