namespace DSPex.Orleans.Client.Hosting.Tls;

/// <summary>
/// TLS material as PEM files, the form Kubernetes Secrets and cert-manager hand over: this process's certificate
/// and private key, and the CA bundle peers' certificates must chain to (the machine's public roots are not used).
/// </summary>
public sealed class TlsFiles
{
    /// <summary>This process's certificate (PEM). On a silo it is required with TLS; a client may leave it empty.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The certificate's private key (PEM, unencrypted).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The CA certificates (PEM bundle) a peer's certificate must chain to. Setting it turns TLS on.</summary>
    public string? CaFile { get; set; }

    /// <summary>TLS is on: a CA bundle is configured.</summary>
    public bool Enabled => !string.IsNullOrEmpty(CaFile);

    /// <summary>A certificate of this process is configured (needed where the peer requires one).</summary>
    public bool HasCertificate => !string.IsNullOrEmpty(CertificateFile);
}
