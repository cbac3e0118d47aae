using System.Text.Json;
using CsCheck;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>
/// Generated argument JSON (see <see cref="ArgumentJsonGen"/>) sent through a real pool, as a raw Orleans caller and
/// through the client library. The invariant for every input: a result or a typed error a caller can act on, the
/// silo up, and the pool back at full capacity with the same workers (none killed). The seed is printed; set
/// DSPEX_PROPERTY_SEED to replay a run and DSPEX_PROPERTY_ITERATIONS to change its length.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class GeneratedArgumentTests(RobustnessClusterFixture fixture, ITestOutputHelper output)
{
    // What a caller may get for arguments it chose; anything else (a crash, a malformed frame, an internal error,
    // a missed deadline) means the input hurt the silo or a worker.
    private static readonly DSPexErrorKind[] CallerKinds =
        [DSPexErrorKind.InvalidArguments, DSPexErrorKind.FrameTooLarge, DSPexErrorKind.PythonException, DSPexErrorKind.ResultNotSerializable];

    // Long enough for any echo here on a loaded machine; short enough that a lost reply costs a run little.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Any_argument_json_gets_a_result_or_a_typed_error_and_leaves_the_pool_whole()
    {
        var seed = Environment.GetEnvironmentVariable("DSPEX_PROPERTY_SEED")
            ?? new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64()).ToString();
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("DSPEX_PROPERTY_ITERATIONS"), out var n) ? n : 150;
        output.WriteLine($"seed: {seed} (replay with DSPEX_PROPERTY_SEED={seed}), iterations: {iterations}");

        var generator = ArgumentJsonGen.For(RobustnessClusterFixture.MaxFrameBytes);
        var pcg = PCG.Parse(seed);
        var failures = new List<string>();
        var outcomes = new SortedDictionary<string, int>();
        for (var i = 0; i < iterations; i++)
        {
            var input = generator.Generate(pcg, null!, out _);
            var before = await fixture.FullCapacityAsync($"input {i - 1}");
            var outcome = i % 3 == 0 ? await ThroughTheLibraryAsync(input) : await RawAsync(input);
            outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
            var after = await fixture.FullCapacityAsync($"input {i}: {input}");
            if (outcome.Failure is { } failure)
            {
                failures.Add($"#{i} {input} -> {failure}");
            }
            else if (after.Restarts != before.Restarts || after.HungWorkersKilled != before.HungWorkersKilled)
            {
                failures.Add($"#{i} {input} -> {outcome.Kind}, but a worker was killed and replaced");
            }
        }

        output.WriteLine("outcomes: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} of {iterations} inputs broke the invariant:\n{string.Join('\n', failures.Take(20))}");
        Assert.Equal("\"pong\"", await fixture.Client.ExecuteRawAsync("ping"));
    }

    private async Task<(string Kind, string? Failure)> RawAsync(ArgumentJsonGen.JsonCase input)
    {
        var response = await fixture.Router.ExecuteAsync(new ExecuteRequest("echo", input.Json, Deadline));
        if (response.Error is not { } error)
        {
            return ("ok", Readable(response.ResultJson!));
        }

        return (error.Kind.ToString(), CallerKinds.Contains(error.Kind) ? null : $"{error.Kind}: {Short(error.Message)}");
    }

    private async Task<(string Kind, string? Failure)> ThroughTheLibraryAsync(ArgumentJsonGen.JsonCase input)
    {
        try
        {
            var result = await fixture.Client.ExecuteRawAsync("echo", input.Json, new Client.ExecuteOptions { Timeout = Deadline });
            return ("ok", Readable(result));
        }
        catch (DSPexException e)
        {
            return (e.Kind.ToString(), CallerKinds.Contains(e.Kind) ? null : $"{e.Kind}: {Short(e.Message)}");
        }
        catch (Exception e)
        {
            return ("untyped", $"{e.GetType().Name}: {Short(e.Message)}");
        }
    }

    /// <summary>A result is JSON a caller can read.</summary>
    private static string? Readable(string result)
    {
        try
        {
            using var _ = JsonDocument.Parse(result, new JsonDocumentOptions { MaxDepth = RequestLimits.MaxJsonDepth * 2 });
            return null;
        }
        catch (JsonException e)
        {
            return $"a result that is not JSON: {e.Message}";
        }
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
