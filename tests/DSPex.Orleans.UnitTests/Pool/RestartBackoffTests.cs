using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

[Trait("Category", "Unit")]
public sealed class RestartBackoffTests
{
    [Fact]
    public void The_first_restart_is_immediate_then_the_delay_doubles_from_100_ms_up_to_30_s()
    {
        var delays = Enumerable.Range(0, 12).Select(failures => RestartBackoff.Delay(failures).TotalMilliseconds);

        Assert.Equal([0, 0, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000], delays);
        Assert.Equal(TimeSpan.FromSeconds(30), RestartBackoff.Delay(1000));
    }
}
