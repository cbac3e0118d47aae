using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>The silo bounds deadlines (security review H2): unusable ones are refused, naming the bound, before a worker is taken.</summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class DeadlineTests(RobustnessClusterFixture fixture)
{
    public static TheoryData<string> Unusable => new()
    {
        TimeSpan.Zero.ToString("c"),
        TimeSpan.FromMilliseconds(-1).ToString("c"),
        TimeSpan.FromDays(-3).ToString("c"),
        (RobustnessClusterFixture.MaxRequestTimeout + TimeSpan.FromMilliseconds(1)).ToString("c"),
        TimeSpan.FromDays(60).ToString("c"),
        TimeSpan.MaxValue.ToString("c"),
        TimeSpan.MinValue.ToString("c"),
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public async Task An_unusable_deadline_from_a_raw_caller_is_refused_as_invalid_arguments(string timeout)
    {
        var response = await fixture.Pool.ExecuteAsync(new ExecuteRequest("ping", "{}", TimeSpan.Parse(timeout)));
        Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
        Assert.Contains("timeout", response.Error!.Message);
        Assert.Null(response.WorkerId);
        await fixture.FullCapacityAsync("a refused deadline");
    }

    [Fact]
    public async Task A_deadline_past_the_maximum_names_the_maximum()
    {
        var response = await fixture.Router.ExecuteAsync(new ExecuteRequest("ping", "{}", TimeSpan.FromHours(1)));
        Assert.Equal(DSPexErrorKind.InvalidArguments, response.Error?.Kind);
        Assert.Contains(RobustnessClusterFixture.MaxRequestTimeout.ToString(), response.Error!.Message);
    }

    [Fact]
    public async Task The_client_refuses_a_deadline_no_silo_can_grant_before_sending()
    {
        foreach (var timeout in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-5), TimeSpan.MaxValue })
        {
            var error = await Assert.ThrowsAsync<InvalidArgumentsException>(() =>
                fixture.Client.ExecuteRawAsync("ping", "{}", new ExecuteOptions { Timeout = timeout }));
            Assert.Contains("options.Timeout", error.Message);
        }

        Assert.Equal(0, fixture.Client.CallsInFlight);
    }

    [Fact]
    public async Task A_deadline_at_the_maximum_is_granted()
    {
        var response = await fixture.Pool.ExecuteAsync(new ExecuteRequest("ping", "{}", RobustnessClusterFixture.MaxRequestTimeout));
        Assert.True(response.IsSuccess, response.Error?.Message);
    }

    [Fact]
    public async Task A_request_past_its_deadline_ends_typed_and_frees_its_worker()
    {
        var error = await Assert.ThrowsAsync<DeadlineExceededException>(() =>
            fixture.Client.ExecuteRawAsync("sleep", """{"seconds":60}""", new ExecuteOptions { Timeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Contains("200 ms", error.Message);
        Assert.Equal(0, (await fixture.FullCapacityAsync("a missed deadline")).Busy);
    }
}
