using Orleans.Connections.Security;

namespace DSPex.Orleans.Client.Hosting.Tls;

/// <summary>Turns on TLS to the gateways: the gateway must present a certificate from the CA bundle; the client presents its own when configured.</summary>
internal static class ClientTls
{
    public static void Configure(IClientBuilder client, TlsFiles files)
    {
        var ca = new CaBundle(files.CaFile!, "DSPex:Client:Tls:CaFile");
        var certificate = files.HasCertificate
            ? new ReloadingCertificate(files.CertificateFile!, files.KeyFile ?? files.CertificateFile!, "DSPex:Client:Tls:CertificateFile")
            : null;
        client.UseTls(options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = ca.Validate;
            if (certificate is not null)
            {
                options.LocalCertificate = certificate.Current;
                options.LocalClientCertificateSelector = (_, _, _, _, _) => certificate.Current;
            }
        });
    }
}
