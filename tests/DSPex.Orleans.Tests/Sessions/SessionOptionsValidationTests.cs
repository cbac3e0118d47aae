using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Tests.Sessions;

/// <summary>Session settings a silo could not keep stop it at start, with a message naming the setting.</summary>
[Trait("Category", "Cluster")]
public sealed class SessionOptionsValidationTests
{
    [Fact]
    public async Task Session_limits_that_would_not_fit_a_frame_stop_the_silo_at_start()
    {
        var settings = new Dictionary<string, string>
        {
            ["MaxVariablesTotalBytes"] = $"{16 * 1024 * 1024}",
            ["MaxVariableBytes"] = "1024",
            ["MinTtl"] = "00:10:00",
            ["MaxTtl"] = "00:01:00",
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestClusters.StartAsync(1, sessions: settings));
        var validation = FindValidationError(error);
        Assert.NotNull(validation);
        Assert.Contains(validation!.Failures, f => f.Contains("MaxVariablesTotalBytes") && f.Contains("MaxFrameBytes"));
        Assert.Contains(validation.Failures, f => f.Contains("MaxTtl") && f.Contains("MinTtl"));
    }

    private static OptionsValidationException? FindValidationError(Exception? error) => error switch
    {
        null => null,
        OptionsValidationException validation => validation,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindValidationError).FirstOrDefault(e => e is not null),
        _ => FindValidationError(error.InnerException),
    };
}
