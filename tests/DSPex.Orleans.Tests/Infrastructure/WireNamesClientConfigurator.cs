using DSPex.Orleans.Contracts;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// Test cluster clients name types on the wire as the DSPex client library does (Contracts.WireNames): the
/// TestingHost client is not built by AddDSPexClient, and a client writing the aliases is the next release's shape.
/// </summary>
public sealed class WireNamesClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.Services.AddDSPexWireNames();
}
