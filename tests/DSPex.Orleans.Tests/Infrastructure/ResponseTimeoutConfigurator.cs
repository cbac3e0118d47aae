using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Shortens Orleans' response timeout on the silos and the client, to show calls outliving it.</summary>
public sealed class ResponseTimeoutConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string Key = "Test:ResponseTimeout";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var timeout = TimeSpan.Parse(siloBuilder.Configuration[Key]!);
        siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout);
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        var timeout = TimeSpan.Parse(configuration[Key]!);
        clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
    }
}
