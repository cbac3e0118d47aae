using DSPex.Orleans.Configuration;
using DSPex.Orleans.Security;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.UnitTests.Security;

/// <summary>
/// A connection presenting wrong API keys is refused for one window after the limit; other connections are not;
/// failures spread wider than the window never add up; the setting is validated.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AuthFailureThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_connection_past_the_limit_is_refused_for_one_window_and_no_other_is()
    {
        var clock = new SteppedClock();
        var throttle = new AuthFailureThrottle(Options.Create(new DSPexSecurityOptions { AuthFailureLimit = 3, AuthFailureWindow = Window }), clock);
        Assert.False(throttle.RecordFailure("a"));
        Assert.False(throttle.RecordFailure("a"));
        Assert.False(throttle.IsRefused("a", out _));
        Assert.True(throttle.RecordFailure("a"));
        Assert.True(throttle.IsRefused("a", out var retryAfter));
        Assert.Equal(Window, retryAfter);
        Assert.Contains("refused for another 60 s", throttle.RefusalMessage(retryAfter));

        Assert.False(throttle.IsRefused("b", out _));
        Assert.False(throttle.RecordFailure("b"));

        clock.Advance(Window);
        Assert.False(throttle.IsRefused("a", out _));
        Assert.False(throttle.RecordFailure("a")); // counting starts afresh after a refusal
    }

    [Fact]
    public void Failures_further_apart_than_the_window_never_add_up()
    {
        var clock = new SteppedClock();
        var throttle = new AuthFailureThrottle(Options.Create(new DSPexSecurityOptions { AuthFailureLimit = 2, AuthFailureWindow = Window }), clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.False(throttle.RecordFailure("slow"));
            clock.Advance(Window + TimeSpan.FromSeconds(1));
        }

        Assert.False(throttle.IsRefused("slow", out _));
    }

    [Fact]
    public void A_limit_of_zero_turns_it_off()
    {
        var throttle = new AuthFailureThrottle(Options.Create(new DSPexSecurityOptions { AuthFailureLimit = 0 }), new SteppedClock());
        for (var i = 0; i < 1_000; i++)
        {
            Assert.False(throttle.RecordFailure("a"));
        }

        Assert.False(throttle.IsRefused("a", out _));
    }

    [Fact]
    public void What_it_remembers_is_bounded()
    {
        var clock = new SteppedClock();
        var throttle = new AuthFailureThrottle(Options.Create(new DSPexSecurityOptions { AuthFailureLimit = 5, AuthFailureWindow = Window }), clock);
        for (var i = 0; i < AuthFailureThrottle.MaxTracked * 2; i++)
        {
            throttle.RecordFailure($"c{i}");
        }

        Assert.True(throttle.Tracked <= AuthFailureThrottle.MaxTracked, $"{throttle.Tracked} connections remembered");
    }

    [Theory]
    [InlineData(-1, 60, "AuthFailureLimit")]
    [InlineData(20, 0, "AuthFailureWindow")]
    [InlineData(20, -5, "AuthFailureWindow")]
    [InlineData(20, 7200, "AuthFailureWindow")]
    public void A_throttle_that_is_not_one_is_refused_at_start(int limit, int windowSeconds, string setting)
    {
        var result = new DSPexSecurityOptionsValidator().Validate(null,
            new DSPexSecurityOptions { AuthFailureLimit = limit, AuthFailureWindow = TimeSpan.FromSeconds(windowSeconds) });
        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new DSPexSecurityOptionsValidator().Validate(null, new DSPexSecurityOptions()).Succeeded);

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
