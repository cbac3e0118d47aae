using System.Net;
using DSPex.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>Builds the silo host: settings from appsettings.json, DSPEX_ environment variables and the command line.</summary>
public static class SiloHostBuilder
{
    public static HostApplicationBuilder Create(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("DSPEX_");
        builder.Configuration.AddCommandLine(args);

        var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.UseOrleans(orleans =>
        {
            var primary = string.IsNullOrEmpty(silo.PrimarySiloEndpoint) ? null : IPEndPoint.Parse(silo.PrimarySiloEndpoint);
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, primary, silo.ServiceId, silo.ClusterId);
            orleans.UseInMemoryReminderService();
            orleans.AddDSPexWorkerPool();
        });
        // Python workers get their SIGTERM and grace inside this window.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
