using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Client.Hosting;

/// <summary>
/// A connected client in a host of its own, for programs that have no host to add the client to (tools,
/// scripts, tests). Dispose it to disconnect.
/// </summary>
public sealed class DSPexClientHost : IAsyncDisposable, IDisposable
{
    private readonly IHost _host;
    private int _disposed;

    private DSPexClientHost(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<DSPexClient>();
    }

    /// <summary>The connected client.</summary>
    public DSPexClient Client { get; }

    /// <summary>Connects to the cluster the options describe, logging from <paramref name="minimumLogLevel"/> up (<see cref="LogLevel.None"/>: nothing).</summary>
    [SuppressMessage("Design", "CA1068:CancellationToken parameters must come last", Justification =
        "Shipped API (PublicAPI.Shipped.txt): moving the token after minimumLogLevel would break every caller that passes " +
        "both by position. Both are optional, so callers can name either.")]
    public static async Task<DSPexClientHost> ConnectAsync(
        Action<DSPexClientOptions> configure, CancellationToken cancellationToken = default, LogLevel minimumLogLevel = LogLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        if (minimumLogLevel == LogLevel.None)
        {
            // No log at all, whatever an appsettings.json in the working directory asks for (a CLI prints its own errors).
            builder.Logging.ClearProviders();
        }

        builder.Logging.SetMinimumLevel(minimumLogLevel);
        builder.Logging.AddFilter("Polly", (LogLevel)Math.Max((int)minimumLogLevel, (int)LogLevel.Warning));
        builder.AddDSPexClient(configure);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new DSPexClientHost(host);
    }

    /// <summary>Disconnects and stops the host.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>Disconnects and stops the host, blocking until it has.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
