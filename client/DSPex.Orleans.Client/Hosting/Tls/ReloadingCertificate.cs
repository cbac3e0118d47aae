using System.Security.Cryptography.X509Certificates;

namespace DSPex.Orleans.Client.Hosting.Tls;

/// <summary>
/// This process's certificate, read from its PEM files again whenever either file's modification time changes,
/// so a rotated certificate (cert-manager renewing a mounted Secret) is used for the next connection without a
/// restart. A half-written pair (the key no longer matches) keeps the previous certificate until both are in place.
/// </summary>
public sealed class ReloadingCertificate
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly Lock _lock = new();
    private (DateTime Certificate, DateTime Key) _loadedStamps;
    private X509Certificate2 _current;

    /// <summary>Reads the certificate and key (PEM); a bad pair is a TlsConfigurationException naming the setting.</summary>
    public ReloadingCertificate(string certificateFile, string keyFile, string setting)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _loadedStamps = Stamps();
        try
        {
            _current = Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new TlsConfigurationException($"{setting}: cannot load the certificate '{certificateFile}' with key '{keyFile}' ({e.Message})", e);
        }
    }

    /// <summary>The certificate as the files hold it now.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var stamps = Stamps();
            if (stamps == _loadedStamps)
            {
                return _current;
            }

            lock (_lock)
            {
                if (stamps != _loadedStamps)
                {
                    try
                    {
                        _current = Load();
                        _loadedStamps = stamps;
                    }
                    catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
                    {
                        // Mid-rotation: one file replaced, the other not yet. The next connection tries again.
                    }
                }

                return _current;
            }
        }
    }

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certificateFile), File.GetLastWriteTimeUtc(_keyFile));

    private X509Certificate2 Load()
    {
        using var pem = X509Certificate2.CreateFromPemFile(_certificateFile, _keyFile);
        // SslStream on Linux needs a key it can export to its native store: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
