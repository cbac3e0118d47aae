using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DSPex.Orleans.Client.Hosting;
using DSPex.Orleans.Security;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// What cluster-remote-tls adds to cluster-remote: a throwaway CA and silo certificate (PEM files in a temporary
/// directory), TLS on the silo's ports, and an API key checked on every call. The silo gets its settings through
/// its DSPEX_ environment, as a deployment would; the client presents the key and trusts the CA.
/// </summary>
public sealed class TlsBenchmarkCluster : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dspex-bench-tls-").FullName;
    private readonly string _apiKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TlsBenchmarkCluster()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=dspex benchmark CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=dspex benchmark silo", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));

        CaFile = Write("ca.pem", ca.ExportCertificatePem());
        CertificateFile = Write("silo.crt", certificate.ExportCertificatePem());
        KeyFile = Write("silo.key", key.ExportPkcs8PrivateKeyPem());
    }

    public string CaFile { get; }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    public SiloVariant Variant => new("tls", null, new Dictionary<string, string>
    {
        ["DSPEX_DSPex__Security__Tls__CertificateFile"] = CertificateFile,
        ["DSPEX_DSPex__Security__Tls__KeyFile"] = KeyFile,
        ["DSPEX_DSPex__Security__Tls__CaFile"] = CaFile,
        ["DSPEX_DSPex__Security__ApiKeys__bench__Hash"] = ApiKeyHash.Of(_apiKey),
        ["DSPEX_DSPex__Security__ApiKeys__bench__Scopes__0"] = "*",
    });

    public void ConfigureClient(DSPexClientOptions options)
    {
        options.ApiKey = _apiKey;
        options.Tls.CaFile = CaFile;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
