using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Silo.Security;

/// <summary>
/// What the silo log says about its TLS files: at start, a private key open to every user of the host (anyone who reads
/// it can pose as this silo); later, a rotation whose files cannot be loaded (the previous certificate stays in use,
/// which would otherwise go unnoticed until it expires).
/// </summary>
internal sealed partial class TlsFileWarnings(ReloadingCertificate certificate, string keyFile, ILogger<TlsFileWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (TlsKeyFile.Exposure(keyFile) is { } exposed)
        {
            LogKeyExposed(logger, exposed);
        }

        certificate.ReloadFailed += OnReloadFailed;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        certificate.ReloadFailed -= OnReloadFailed;
        return Task.CompletedTask;
    }

    private void OnReloadFailed(string why) => LogReloadFailed(logger, why);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "TLS: {Exposure}")]
    private static partial void LogKeyExposed(ILogger logger, string exposure);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "TLS: {Why}")]
    private static partial void LogReloadFailed(ILogger logger, string why);
}
