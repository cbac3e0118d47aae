using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Requests over the frame limit are refused with a typed error before they cost memory (security review H5): by
/// the client library before sending, by Orleans on either side past the frame limit plus headroom, and by the pool.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class MessageSizeTests(RobustnessClusterFixture fixture)
{
    private static string JsonStringOf(int bytes) => $"\"{new string('a', bytes - 2)}\"";

    [Fact]
    public async Task A_90_MB_request_is_refused_by_the_client_library_before_it_is_sent()
    {
        var client = new DSPexClient(fixture.Cluster.Client);
        var error = await Assert.ThrowsAsync<FrameTooLargeException>(() => client.ExecuteRawAsync("echo", JsonStringOf(90 * 1024 * 1024)));
        Assert.Contains("argsJson", error.Message);
        Assert.Contains(RequestLimits.DefaultMaxRequestBytes.ToString(), error.Message);
        Assert.Equal(0, client.CallsInFlight);
    }

    [Fact]
    public async Task Args_just_over_the_frame_limit_are_refused_and_just_under_are_served()
    {
        var over = await Assert.ThrowsAsync<FrameTooLargeException>(() =>
            fixture.Client.ExecuteRawAsync("echo", JsonStringOf(RobustnessClusterFixture.MaxFrameBytes + 1)));
        Assert.Contains(RobustnessClusterFixture.MaxFrameBytes.ToString(), over.Message);

        var under = JsonStringOf(RobustnessClusterFixture.MaxFrameBytes / 2);
        Assert.Equal(under, await fixture.Client.ExecuteRawAsync("echo", under));
    }

    [Fact]
    public async Task The_pool_refuses_args_over_its_frame_limit_from_a_raw_caller()
    {
        var response = await fixture.Router.ExecuteAsync(new ExecuteRequest("echo", JsonStringOf(RobustnessClusterFixture.MaxFrameBytes + 10)));
        Assert.Equal(DSPexErrorKind.FrameTooLarge, response.Error?.Kind);
        Assert.Null(response.WorkerId);
        await fixture.FullCapacityAsync("an oversized request");
    }

    [Fact]
    public async Task The_silos_orleans_message_limit_follows_the_frame_limit()
    {
        var silo = (InProcessSiloHandle)fixture.Cluster.Primary!;
        var messaging = silo.SiloHost.Services.GetRequiredService<IOptions<SiloMessagingOptions>>().Value;
        Assert.Equal(RequestLimits.MessageBodyLimit(RobustnessClusterFixture.MaxFrameBytes), messaging.MaxMessageBodySize);
        // With the default 16 MiB frames, a 90 MB message is past Orleans' limit on the silo: never read into memory.
        Assert.True(RequestLimits.MessageBodyLimit(RequestLimits.DefaultMaxRequestBytes) < 90_000_000);
    }
}
