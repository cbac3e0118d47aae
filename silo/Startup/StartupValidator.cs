using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;
using DSPex.Orleans.Security;
using DSPex.Orleans.Silo.Configuration;
using DSPex.Orleans.Silo.Security;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// Checks, before the silo joins the cluster, what would otherwise fail later and obscurely (or never): that a
/// silo's ports are free, that a silo open beyond loopback requires credentials, that API key hashes parse, the Python executable, that every
/// adapter module imports, and that Redis answers. Each failure names the setting.
/// </summary>
internal sealed class StartupValidator(SiloHostOptions silo, DSPexPoolOptions pool, DSPexSecurityOptions security) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // First: a silo on another silo's ports must not warm a pool, let alone share its listeners.
        PortsAvailable.Verify(silo);
        ExposureCheck.Verify(silo, security);
        try
        {
            _ = new ApiKeyAuthenticator(Microsoft.Extensions.Options.Options.Create(security));
        }
        catch (InvalidSecurityConfigurationException e)
        {
            throw new SiloConfigurationException(e.Message);
        }

        // The same checks `dspex doctor` runs (grains/Diagnostics): a failure stops the start with the check's message.
        var checks = new List<IDiagnosticCheck> { new PythonCheck(DiagnosticChecks.DefaultPool, pool.PythonExecutable) };
        if (pool.AdapterModules.Count > 0)
        {
            // A module that registers nothing only warns in doctor; here it stops the start (no worker would start).
            checks.Add(new AdaptersCheck(DiagnosticChecks.DefaultPool, new BridgeListing(pool, pool.StartTimeout), pool.AdapterPaths, registersNothingFails: true));
        }

        checks.Add(new RedisCheck(silo.RedisConnectionString));
        foreach (var check in checks)
        {
            var result = await check.RunAsync(cancellationToken);
            if (result.Status == CheckStatus.Fail)
            {
                throw new SiloConfigurationException(result.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
