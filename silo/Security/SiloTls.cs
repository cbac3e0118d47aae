using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DSPex.Orleans.Client.Hosting.Tls;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// TLS on every connection of the silo with Orleans' own TLS middleware. Between silos it is mutual: the silo
/// port requires a certificate from the CA bundle, and this silo presents its own when it connects out, so a
/// process without the cluster's certificate cannot join. The gateway asks clients for a certificate and, unless
/// told to require one, accepts them without (callers authenticate with API keys); one they send must chain to the CA.
/// A plaintext peer fails the handshake on either port.
/// </summary>
internal static class SiloTls
{
    public const string SectionName = "DSPex:Security:Tls";

    /// <param name="requireClientCertificate">
    /// "DSPex:Security:Tls:RequireClientCertificate": the gateway also refuses clients without a certificate of the
    /// CA. Orleans' gateway trusts the sender id a client writes into its messages, so requiring certificates is
    /// what keeps a hand-built client (one that could pose as a grain) off the gateway altogether.
    /// </param>
    public static void Configure(ISiloBuilder silo, TlsFiles files, bool requireClientCertificate)
    {
        if (!files.HasCertificate)
        {
            throw new TlsConfigurationException($"{SectionName}:CertificateFile: a silo with TLS (CaFile is set) needs its certificate and key");
        }

        var ca = new CaBundle(files.CaFile!, $"{SectionName}:CaFile");
        var certificate = new ReloadingCertificate(files.CertificateFile!, files.KeyFile ?? files.CertificateFile!, $"{SectionName}:CertificateFile");
        // A key open to every user, and a rotation that cannot be loaded, are logged (TlsFileWarnings).
        silo.Services.AddHostedService(services => new TlsFileWarnings(certificate, files.KeyFile ?? files.CertificateFile!, services.GetRequiredService<ILogger<TlsFileWarnings>>()));
        var betweenSilos = Options(certificate, ca, RemoteCertificateMode.RequireCertificate);
        var fromClients = Options(certificate, ca, requireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate);
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
