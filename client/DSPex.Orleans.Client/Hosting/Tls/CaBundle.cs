using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DSPex.Orleans.Client.Hosting.Tls;

/// <summary>
/// Validates a peer's certificate against the configured CA bundle only (custom root trust), never the machine's
/// public roots. Host names are not checked: silos and clients meet at pod IPs, and the cluster's identity is
/// "holds a certificate this CA issued".
/// </summary>
public sealed class CaBundle
{
    private readonly X509Certificate2Collection _roots;

    /// <summary>Reads the CA bundle (PEM); a missing or empty file is a TlsConfigurationException naming the setting.</summary>
    public CaBundle(string caFile, string setting)
    {
        _roots = new X509Certificate2Collection();
        try
        {
            _roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new TlsConfigurationException($"{setting}: cannot read the CA bundle '{caFile}' ({e.Message})", e);
        }

        if (_roots.Count == 0)
        {
            throw new TlsConfigurationException($"{setting}: '{caFile}' holds no PEM certificate");
        }
    }

    /// <summary>True when the certificate chains to the bundle; the machine's roots are not consulted.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the peer sent along.
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
