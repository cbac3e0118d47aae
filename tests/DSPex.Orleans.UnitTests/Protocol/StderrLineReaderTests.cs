using System.Text;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.UnitTests.Protocol;

[Trait("Category", "Unit")]
public sealed class StderrLineReaderTests
{
    private static async Task<List<string>> LinesOf(byte[] bytes)
    {
        var lines = new List<string>();
        await StderrLineReader.ReadLinesAsync(new MemoryStream(bytes), lines.Add);
        return lines;
    }

    [Fact]
    public async Task An_endless_line_is_kept_to_its_bound_and_says_how_much_was_dropped()
    {
        var endless = new string('x', 20 * 1024 * 1024);
        var lines = await LinesOf(Encoding.UTF8.GetBytes($"first\r\n{endless}\nlast"));
        Assert.Equal(3, lines.Count);
        Assert.Equal("first", lines[0]);
        Assert.StartsWith(new string('x', StderrLineReader.MaxLineBytes), lines[1]);
        Assert.EndsWith($"(line truncated: {endless.Length - StderrLineReader.MaxLineBytes} more bytes dropped)", lines[1]);
        Assert.True(lines[1].Length < StderrLineReader.MaxLineBytes + 100);
        Assert.Equal("last", lines[2]);
    }

    [Fact]
    public async Task Lines_split_across_reads_are_whole()
    {
        var text = string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"line {i} é"));
        var lines = await LinesOf(Encoding.UTF8.GetBytes(text + "\n"));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => $"line {i} é"), lines);
    }
}
