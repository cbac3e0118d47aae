using DSPex.Orleans.Contracts;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>Gives the test cluster's Orleans client the message limit the client library sets for a frame limit.</summary>
public sealed class ClientMessageSizeConfigurator : IClientBuilderConfigurator
{
    public const string Key = "Test:ClientMaxFrameBytes";

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        var frame = int.Parse(configuration[Key]!, System.Globalization.CultureInfo.InvariantCulture);
        clientBuilder.Configure<ClientMessagingOptions>(o => o.MaxMessageBodySize = RequestLimits.MessageBodyLimit(frame));
    }
}
