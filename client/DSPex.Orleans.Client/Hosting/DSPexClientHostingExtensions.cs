using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using DSPex.Orleans.Contracts;
using Orleans.Configuration;

namespace DSPex.Orleans.Client.Hosting;

/// <summary>Adds the DSPex client to a .NET host.</summary>
public static class DSPexClientHostingExtensions
{
    /// <summary>
    /// Adds an Orleans client connected to a DSPex cluster, and <see cref="DSPexClient"/>. Settings come from the
    /// "DSPex:Client" configuration section, then <paramref name="configure"/>.
    /// </summary>
    public static IHostApplicationBuilder AddDSPexClient(this IHostApplicationBuilder builder, Action<DSPexClientOptions>? configure = null)
    {
        var options = new DSPexClientOptions();
        builder.Configuration.GetSection(DSPexClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        builder.UseOrleansClient(client => ConfigureOrleansClient(client, options));
        builder.Services.AddSingleton(options.CallLimits);
        builder.Services.AddSingleton(options);
        builder.Services.AddDSPexClient();
        return builder;
    }

    /// <summary>Adds <see cref="DSPexClient"/> over an Orleans client (or co-hosted silo) configured elsewhere.</summary>
    public static IServiceCollection AddDSPexClient(this IServiceCollection services)
    {
        services.AddSingleton(sp => new DSPexClient(
            sp.GetRequiredService<IGrainFactory>(),
            limits: sp.GetService<Calls.CallLimits>(),
            maxRequestBytes: sp.GetService<DSPexClientOptions>()?.MaxRequestBytes ?? Contracts.RequestLimits.DefaultMaxRequestBytes,
            tools: sp.GetService<DSPexClientOptions>()?.Tools)
        {
            // A keyed client's session ids live in its credential's namespace; without a key they are used bare.
            SessionNamespace = sp.GetService<DSPexClientOptions>()?.ApiKey is { } key && !string.IsNullOrWhiteSpace(key) ? Security.SessionKeys.NamespaceOfKey(key) : null,
        });
        return services;
    }

    /// <summary>Configures an Orleans client builder for a DSPex cluster (gateways or Redis membership, ids, TLS, API key) from the options.</summary>
    public static void ConfigureOrleansClient(IClientBuilder client, DSPexClientOptions options)
    {
        // Types are written as the previous release reads them (Contracts.WireNames).
        client.Services.AddDSPexWireNames();
        // The caller's trace continues on the silo and the worker.
        client.AddActivityPropagation();
        // The API key goes with every call; the cluster's refusals come back as typed exceptions.
        client.AddOutgoingGrainCallFilter(new ApiKeyCallFilter(options.ApiKey));
        if (options.Tls.Enabled)
        {
            Tls.ClientTls.Configure(client, options.Tls);
        }

        // Orleans leaves calls whose gateway died waiting for their response timeout; the client checks them.
        client.AddGatewayCountChangedHandler(sp => (_, e) =>
        {
            if (e.NumberOfConnectedGateways < e.PreviousNumberOfConnectedGateways)
            {
                sp.GetService<DSPexClient>()?.OnGatewayLost();
            }
        });
        if (!string.IsNullOrEmpty(options.RedisConnectionString))
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.UseRedisClustering(options.RedisConnectionString);
            return;
        }

        if (options.Gateways.Count == 0)
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            return;
        }

        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        client.UseStaticClustering([.. options.Gateways.Select(ParseEndpoint)]);
    }

    private static IPEndPoint ParseEndpoint(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0)
        {
            return endpoint;
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), out var port))
        {
            var address = Dns.GetHostAddresses(text[..colon]).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            return new IPEndPoint(address, port);
        }

        throw new FormatException($"Gateway '{text}' is not host:port.");
    }
}
