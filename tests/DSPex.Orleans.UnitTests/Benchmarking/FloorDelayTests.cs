using DSPex.Orleans.Benchmarking;

namespace DSPex.Orleans.UnitTests.Benchmarking;

/// <summary>The floor grain's delayed answer reads {"ms": N}, 0..1000 whole milliseconds, and refuses anything else.</summary>
[Trait("Category", "Unit")]
public sealed class FloorDelayTests
{
    [Theory]
    [InlineData("""{"ms":0}""", 0)]
    [InlineData("""{"ms":3}""", 3)]
    [InlineData("""{ "other": "x", "ms": 1000 }""", 1000)]
    public void A_whole_number_of_milliseconds_in_range_is_the_delay(string args, int expected)
    {
        Assert.True(FloorDelay.TryRead(args, out var delay, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(expected), delay);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("""{"ms":-1}""")]
    [InlineData("""{"ms":1001}""")]
    [InlineData("""{"ms":1.5}""")]
    [InlineData("""{"ms":"5"}""")]
    [InlineData("""{"ms":99999999999}""")]
    [InlineData("""{"ms":""")]
    public void Anything_else_is_refused_with_what_it_takes(string? args)
    {
        Assert.False(FloorDelay.TryRead(args, out var delay, out var problem));
        Assert.Equal(TimeSpan.Zero, delay);
        Assert.Contains("whole number of milliseconds from 0 to 1000", problem, StringComparison.Ordinal);
    }
}
