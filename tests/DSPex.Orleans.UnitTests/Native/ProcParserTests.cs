using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.UnitTests.Native;

[Trait("Category", "Unit")]
public sealed class ProcParserTests
{
    // Fields 3..22 of a stat line; 22 (start time) is 9876543.
    private const string Tail = "S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 9876543 123456 789 18446744073709551615";

    [Theory]
    [InlineData("4242 (python3) ")]
    [InlineData("4242 (a b) ")]
    [InlineData("4242 (x) (y) ")]
    [InlineData("4242 ()) ) ")]
    [InlineData("4242 (S 1 2 3 4 5) ")]
    public void A_stat_line_is_read_after_the_last_parenthesis_whatever_the_command_name_holds(string head)
    {
        var stat = ProcStat.Parse(head + Tail + "\n");

        Assert.Equal(new ProcStat('S', 1, 4242, 4242, 9876543), stat);
        Assert.False(stat!.Value.HasExited);
    }

    [Theory]
    [InlineData('Z', true)]
    [InlineData('X', true)]
    [InlineData('R', false)]
    [InlineData('D', false)]
    [InlineData('T', false)]
    public void The_state_field_says_whether_the_process_has_exited(char state, bool exited)
    {
        var stat = ProcStat.Parse($"7 (w) {state}{Tail[1..]}");

        Assert.Equal(state, stat!.Value.State);
        Assert.Equal(exited, stat.Value.HasExited);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 python3 S 1 2 3")]
    [InlineData("4242 (python3)")]
    [InlineData("4242 (python3) S 1 2 3")]
    [InlineData("4242 (python3) S one 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 9876543")]
    [InlineData("4242 (python3) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 -5")]
    public void Text_that_is_not_a_stat_line_reads_as_nothing(string text) => Assert.Null(ProcStat.Parse(text));

    [Theory]
    [InlineData("5000 1234 300 10 0 200 0\n", 1234L)]
    [InlineData("5000 0 0 0 0 0 0", 0L)]
    public void Statm_gives_the_resident_pages(string statm, long pages) => Assert.Equal(pages, ProcText.ResidentPages(statm));

    [Theory]
    [InlineData("")]
    [InlineData("5000")]
    [InlineData("5000 many 300")]
    public void Text_that_is_not_statm_reads_as_nothing(string statm) => Assert.Null(ProcText.ResidentPages(statm));

    [Fact]
    public void Uptime_gives_seconds_since_boot() => Assert.Equal(12345.67, ProcText.UptimeSeconds("12345.67 54321.00\n"));

    [Fact]
    public void Text_that_is_not_uptime_reads_as_nothing() => Assert.Null(ProcText.UptimeSeconds("soon 1"));

    [Fact]
    public void A_command_line_splits_on_nul_keeping_empty_arguments_but_not_the_terminator() =>
        Assert.Equal(["python3", "", "bridge.py"], ProcText.Arguments("python3\0\0bridge.py\0"));

    [Fact]
    public void An_empty_command_line_has_no_arguments() => Assert.Empty(ProcText.Arguments(""));

    [Fact]
    public void An_environment_variable_is_found_by_its_exact_name()
    {
        const string environ = "PATH=/bin\0DSPEX_MARKER_X=no\0DSPEX_MARKER=a=b;c\0HOME=/root\0";

        Assert.Equal("a=b;c", ProcText.EnvironmentValue(environ, "DSPEX_MARKER"));
        Assert.Null(ProcText.EnvironmentValue(environ, "MISSING"));
        Assert.Null(ProcText.EnvironmentValue("", "DSPEX_MARKER"));
    }
}
