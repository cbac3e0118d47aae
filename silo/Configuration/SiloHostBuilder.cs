using System.Net;
using DSPex.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

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
            if (string.IsNullOrEmpty(silo.RedisConnectionString))
            {
                // Embedded default: a localhost cluster, sessions and reminders in memory.
                var primary = string.IsNullOrEmpty(silo.PrimarySiloEndpoint) ? null : IPEndPoint.Parse(silo.PrimarySiloEndpoint);
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, primary, silo.ServiceId, silo.ClusterId);
                orleans.UseInMemoryReminderService();
                orleans.AddDSPexSessions();
            }
            else
            {
                // Production: one Redis connection string switches membership, reminders and sessions to Redis.
                orleans.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = silo.ClusterId;
                    o.ServiceId = silo.ServiceId;
                });
                orleans.ConfigureEndpoints(silo.AdvertisedAddress is { Length: > 0 } address ? IPAddress.Parse(address) : IPAddress.Loopback,
                    silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.AdvertisedAddress is { Length: > 0 });
                orleans.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(silo.RedisConnectionString));
                orleans.UseRedisReminderService(o => o.ConfigurationOptions = ConfigurationOptions.Parse(silo.RedisConnectionString));
                orleans.AddDSPexSessions(o => o.RedisConnectionString = silo.RedisConnectionString);
            }

            orleans.AddDSPexWorkerPool();
        });
        // Python workers get their SIGTERM and grace inside this window.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
