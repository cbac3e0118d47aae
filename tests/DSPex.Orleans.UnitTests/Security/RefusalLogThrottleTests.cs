using DSPex.Orleans.Security;

namespace DSPex.Orleans.UnitTests.Security;

/// <summary>Refused authentications are logged at most once per interval, each line counting what it stood for.</summary>
[Trait("Category", "Unit")]
public sealed class RefusalLogThrottleTests
{
    [Fact]
    public void OneLinePerIntervalCountingTheRefusalsBetween()
    {
        var clock = new SteppedClock();
        var throttle = new RefusalLogThrottle(clock);
        Assert.True(throttle.ShouldLog(out var unlogged));
        Assert.Equal(0, unlogged);
        for (var i = 0; i < 4_999; i++)
        {
            Assert.False(throttle.ShouldLog(out _));
        }

        clock.Advance(RefusalLogThrottle.Interval);
        Assert.True(throttle.ShouldLog(out unlogged));
        Assert.Equal(4_999, unlogged);
        Assert.False(throttle.ShouldLog(out _));
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
