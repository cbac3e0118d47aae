using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Benchmarks.Infrastructure;

/// <summary>
/// A started client host connected to the benchmark's remote silo, its services reachable (the floor scenario needs
/// the grain factory of the same client). DSPexClientHost's set-up, plus retries: the silo logs its pool warm a moment
/// before its gateway may accept clients.
/// </summary>
internal static class RemoteClientHost
{
    public static async Task<IHost> ConnectAsync(ClusterSettings cluster, Action<DSPexClientOptions>? configure, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Logging.AddFilter("Polly", LogLevel.Warning);
                builder.AddDSPexClient(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = ClusterSettings.ServiceId;
                    o.GatewayPort = cluster.GatewayPort;
                    configure?.Invoke(o);
                });
                var host = builder.Build();
                try
                {
                    await host.StartAsync(cancellationToken);
                    return host;
                }
                catch
                {
                    host.Dispose();
                    throw;
                }
            }
            catch (Exception) when (attempt < 10)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
