using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.Hosting;

/// <summary>
/// The silo's ready line is one line that reads back to what was written, and nothing else reads as one: not the
/// pool's log line (prose), not a line that only starts like it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SiloReadyLineTests
{
    private static readonly SiloReady Sample = new(4242, "127.0.0.1:11111@123456789", 812,
        [new PoolReady("default", 2, 2), new PoolReady("gpu \"big\"\nnext", 0, 1)]);

    [Fact]
    public void A_ready_line_is_one_line_and_reads_back_to_what_was_written()
    {
        var line = SiloReadyLine.Format(Sample);
        Assert.StartsWith(SiloReadyLine.Prefix, line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);

        var read = SiloReadyLine.Parse(line);
        Assert.NotNull(read);
        Assert.Equal((Sample.Pid, Sample.Silo, Sample.WarmUpMs), (read.Pid, read.Silo, read.WarmUpMs));
        Assert.Equal(Sample.Pools, read.Pools);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("info: DSPex.Orleans.Pool.SiloPools[1100] Pool on S127.0.0.1:11111:1 warm: 2/2 workers in 812 ms (pools: default 2/2)")]
    [InlineData("dspex-ready")]
    [InlineData("dspex-ready {not json")]
    [InlineData("  dspex-ready {\"pid\":1}")]
    public void Any_other_line_is_not_a_ready_line(string? line) => Assert.Null(SiloReadyLine.Parse(line));

    [Fact]
    public void The_legacy_warm_line_is_read_only_by_its_own_reader()
    {
        // A previous release only logged this; the harnesses read it from another build, never as this build's signal.
        const string legacy = "info: DSPex.Orleans.Pool.SiloPools[1100] Pool on S127.0.0.1:11111:1 warm: 2/2 workers in 812 ms (pools: default 2/2)";
        Assert.Equal(TimeSpan.FromMilliseconds(812), LegacyWarmLine.Parse(legacy));
        Assert.Null(LegacyWarmLine.Parse(SiloReadyLine.Format(Sample)));
        Assert.Null(SiloReadyLine.Parse(legacy));
    }
}
