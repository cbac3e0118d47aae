using System.Net;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Client.Hosting.Tls;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Security;
using DSPex.Orleans.Silo.Health;
using DSPex.Orleans.Silo.Security;
using DSPex.Orleans.Silo.Startup;
using DSPex.Orleans.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace DSPex.Orleans.Silo.Configuration;

/// <summary>
/// Builds the silo host: settings from appsettings.json, DSPEX_ environment variables and the command line;
/// the embedded default (localhost, in memory) or Redis; Kubernetes hosting when the pod environment is present;
/// HTTP health, readiness and metrics endpoints.
/// </summary>
public static class SiloHostBuilder
{
    public static readonly string[] KubernetesEnvironment = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID"];

    public static WebApplicationBuilder Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("DSPEX_");
        builder.Configuration.AddCommandLine(args);

        var silo = ValidatedSettings.Read<SiloHostOptions, SiloHostOptionsValidator>(builder.Configuration, builder.Services, SiloHostOptions.SectionName);
        var membership = ValidatedSettings.Read<MembershipSettings, MembershipSettingsValidator>(builder.Configuration, builder.Services, MembershipSettings.SectionName);
        var telemetry = ValidatedSettings.Read<TelemetryOptions, TelemetryOptionsValidator>(builder.Configuration, builder.Services, TelemetryOptions.SectionName);
        ValidatedSettings.Read<HealthOptions, HealthOptionsValidator>(builder.Configuration, builder.Services, HealthOptions.SectionName);
        PoolNamesAndLabels.Verify(builder.Configuration);
        StateDirectoryPrecheck.Verify(builder.Configuration, silo);
        // Only for the shutdown timeout below; the pool itself reads its options (validated) from the container.
        var pool = builder.Configuration.GetSection(DSPexPoolOptions.SectionName).Get<DSPexPoolOptions>() ?? new DSPexPoolOptions();
        var tls = builder.Configuration.GetSection(SiloTls.SectionName).Get<TlsFiles>() ?? new TlsFiles();
        builder.WebHost.UseUrls(silo.HttpPort > 0 ? $"http://0.0.0.0:{silo.HttpPort}" : "http://127.0.0.1:0");

        // Registered before Orleans, so a bad setting stops the host before the silo joins the cluster.
        // It checks the options the silo runs with (a configure delegate included), after their validators passed.
        builder.Services.AddHostedService(sp => new StartupValidator(silo,
            sp.GetRequiredService<IOptions<DSPexPoolOptions>>().Value, sp.GetRequiredService<IOptions<DSPexSecurityOptions>>().Value));
        builder.Services.AddSingleton<SiloHealth>();
        builder.Services.AddSingleton<SiloExit>();
        builder.Services.AddSingleton<MembershipProbe>();
        builder.Services.AddSingleton<GatewayProbe>();
        builder.Services.AddSingleton<HealthLoop>();
        builder.Services.AddHealthChecks()
            .AddCheck<PoolReadinessCheck>("python-pool", tags: [PoolReadinessCheck.Tag])
            .AddCheck<ClusterReadinessCheck>("cluster", tags: [PoolReadinessCheck.Tag])
            .AddCheck<LivenessCheck>("live", tags: [LivenessCheck.Tag]);
        builder.AddSiloTelemetry(telemetry);

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

            // How fast a dead silo is declared dead: the bulk of a session's fail-over time (docs/operations.md).
            orleans.Configure<ClusterMembershipOptions>(membership.ApplyTo);

            if (KubernetesEnvironment.All(name => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))))
            {
                // Pod name, namespace and IP from the downward API; silos of deleted pods are declared dead at once.
                orleans.UseKubernetesHosting();
            }

            if (silo.Dashboard)
            {
                orleans.AddDashboard();
            }

            orleans.AddActivityPropagation();
            // Callers from outside the cluster: authenticated, scoped, and kept to the public facade grains.
            orleans.AddDSPexSecurity();
            if (tls.Enabled)
            {
                SiloTls.Configure(orleans, tls, builder.Configuration.GetValue<bool>($"{SiloTls.SectionName}:RequireClientCertificate"));
            }

            orleans.AddDSPexWorkerPool(o => o.DrainTimeout = silo.DrainTimeout);
            if (silo.BenchmarkFloor)
            {
                orleans.AddDSPexBenchmarkFloor();
            }
        });

        RunSiloInsideHttpLifetime(builder.Services, silo.DrainTimeout);

        // SIGTERM: drain, then stop the Python processes (SIGTERM, grace, SIGKILL), then leave the cluster.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = silo.DrainTimeout + pool.StopGracePeriod + TimeSpan.FromSeconds(10));
        return builder;
    }

    /// <summary>
    /// Replaces Orleans' hosted service (which starts before the HTTP server and stops after it) by
    /// <see cref="SiloRunner"/>, which starts the silo after the HTTP server and stops it before.
    /// </summary>
    private static void RunSiloInsideHttpLifetime(IServiceCollection services, TimeSpan drainTimeout)
    {
        var orleans = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == SiloRunner.OrleansHostedService);
        services.Remove(orleans);
        services.AddHostedService(sp => new SiloRunner(
            (IHostedService)ActivatorUtilities.CreateInstance(sp, orleans.ImplementationType!),
            sp,
            sp.GetRequiredService<SiloHealth>(),
            sp.GetRequiredService<HealthLoop>(),
            sp.GetRequiredService<SiloExit>(),
            drainTimeout,
            sp.GetRequiredService<ILogger<SiloRunner>>()));
    }
}
