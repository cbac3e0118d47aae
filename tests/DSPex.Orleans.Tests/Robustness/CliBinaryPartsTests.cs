using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Bytes in and out of `dspex exec`, the CLI run as its own process against the test cluster (real Python, 1 MiB frame
/// limit): --part files go raw to Python as the args' {"$bytes": i}, and --parts-out writes the result's parts to
/// files, byte for byte; parts past the frame limit and a reference to a part not given are typed errors (exit 2).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TestSuite.SideBySide.Cli)]
public sealed class CliBinaryPartsTests(RobustnessClusterFixture fixture) : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Part_files_go_to_python_raw_and_the_results_parts_are_written_to_files()
    {
        var first = new byte[200 * 1024];
        new Random(23).NextBytes(first);
        byte[] second = [0, 0, 255, 0];
        var firstPath = Write("first.bin", first);
        var secondPath = Write("second.bin", second);
        var outDir = Path.Combine(_work.Path, "out");

        var (exitCode, stdout, stderr) = await RunAsync(
            ["exec", "echo", "--args", """{"a":{"$bytes":0},"b":{"$bytes":1}}""", "--part", firstPath, "--part", secondPath, "--parts-out", outDir]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("""{"a":{"$bytes":0},"b":{"$bytes":1}}""", stdout.Trim());
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(outDir, "part-0.bin")));
        Assert.Equal(second, File.ReadAllBytes(Path.Combine(outDir, "part-1.bin")));
        Assert.Equal(2, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public async Task A_result_with_parts_and_no_parts_out_prints_the_json_and_says_what_was_not_written()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["exec", "echo", "--args", """{"$bytes":0}""", "--part", Write("one.bin", [1, 2, 3])]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("""{"$bytes":0}""", stdout.Trim());
        Assert.Contains("1 binary part(s), not written: give --parts-out DIR", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parts_past_the_frame_limit_are_frame_too_large_and_a_missing_part_is_invalid_arguments()
    {
        var big = Write("big.bin", new byte[RobustnessClusterFixture.MaxFrameBytes + 1]);
        var (overExit, overOut, overErr) = await RunAsync(["exec", "echo", "--args", """{"$bytes":0}""", "--part", big]);
        Assert.Equal(2, overExit);
        Assert.StartsWith("error: FrameTooLarge: ", Assert.Single(overErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal("", overOut.Trim());

        var (missingExit, _, missingErr) = await RunAsync(["exec", "echo", "--args", """{"a":{"$bytes":3}}""", "--part", Write("small.bin", [7])]);
        Assert.Equal(2, missingExit);
        var line = Assert.Single(missingErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: InvalidArguments: ", line, StringComparison.Ordinal);
        Assert.Contains("part 3", line, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] data)
    {
        var path = Path.Combine(_work.Path, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] command) =>
        CliProcess.RunAsync(
        [
            "--gateway", fixture.Cluster.Primary!.GatewayAddress.Endpoint.ToString(),
            "--cluster-id", fixture.Cluster.Options.ClusterId,
            "--service-id", fixture.Cluster.Options.ServiceId,
            .. command,
        ]);
}
