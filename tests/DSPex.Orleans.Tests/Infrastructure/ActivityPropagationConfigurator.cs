using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>Orleans' activity propagation on the test silos and client, as the silo host and the client library set it up.</summary>
public sealed class ActivityPropagationConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddActivityPropagation();

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddActivityPropagation();
}
