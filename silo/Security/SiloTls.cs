using DSPex.Orleans.Client.Hosting.Tls;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// TLS on every connection of the silo with Orleans' own TLS middleware. Between silos it is mutual: the silo
/// port requires a certificate from the CA bundle, and this silo presents its own when it connects out, so a
/// process without the cluster's certificate cannot join. The gateway asks clients for a certificate and
/// accepts them without one (callers authenticate with API keys), but one they send must chain to the CA.
/// A plaintext peer fails the handshake on either port.
/// </summary>
internal static class SiloTls
{
    public const string SectionName = "DSPex:Security:Tls";

    public static void Configure(ISiloBuilder silo, TlsFiles files)
    {
        if (!files.HasCertificate)
        {
            throw new TlsConfigurationException($"{SectionName}:CertificateFile: a silo with TLS (CaFile is set) needs its certificate and key");
        }

        var ca = new CaBundle(files.CaFile!, $"{SectionName}:CaFile");
        var certificate = new ReloadingCertificate(files.CertificateFile!, files.KeyFile ?? files.CertificateFile!, $"{SectionName}:CertificateFile");
        var betweenSilos = Options(certificate, ca, RemoteCertificateMode.RequireCertificate);
        var fromClients = Options(certificate, ca, RemoteCertificateMode.AllowCertificate);
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(c => c.UseServerTls(betweenSilos));
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(betweenSilos));
            connections.ConfigureGatewayInboundConnection(c => c.UseServerTls(fromClients));
        });
    }

    private static TlsOptions Options(ReloadingCertificate certificate, CaBundle ca, RemoteCertificateMode peers) => new()
    {
        LocalCertificate = certificate.Current,
        // Read per connection, so rotated files are used without a restart.
        LocalServerCertificateSelector = (_, _) => certificate.Current,
        LocalClientCertificateSelector = (_, _, _, _, _) => certificate.Current,
        RemoteCertificateMode = peers,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = ca.Validate,
    };
}
