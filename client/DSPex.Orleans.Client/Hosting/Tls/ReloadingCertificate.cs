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
    private (DateTime Certificate, DateTime Key)? _failedStamps;
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

    /// <summary>
    /// Raised once for each state of the files that changed but holds no usable certificate and key (a rotation
    /// half done, or files replaced by something else), with a message naming the files and why; the previous
    /// certificate stays in use. The silo logs it as a warning.
    /// </summary>
    public event Action<string>? ReloadFailed;

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

            string? failure = null;
            X509Certificate2 current;
            lock (_lock)
            {
                // Files that already failed in this state are not read again until one of them changes.
                if (stamps != _loadedStamps && stamps != _failedStamps)
                {
                    try
                    {
                        _current = Load();
                        _loadedStamps = stamps;
                        _failedStamps = null;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
                    {
                        // Mid-rotation (one file replaced, the other not yet) or not a certificate at all: the previous
                        // one stays in use, and a change of either file is tried again.
                        _failedStamps = stamps;
                        failure = $"the certificate '{_certificateFile}' with key '{_keyFile}' changed but cannot be loaded ({e.GetType().Name}: {e.Message}); " +
                            "the previous certificate stays in use until both files hold a matching pair";
                    }
                }

                current = _current;
            }

            if (failure is not null)
            {
                ReloadFailed?.Invoke(failure);
            }

            return current;
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
