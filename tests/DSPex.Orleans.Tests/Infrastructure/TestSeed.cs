using System.Globalization;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// The seed of a randomised test: DSPEX_TEST_SEED when set (to replay a failure), else a fresh one. The test prints
/// it, so a failing run can be replayed.
/// </summary>
public static class TestSeed
{
    public const string Variable = "DSPEX_TEST_SEED";

    public static int Next(ITestOutputHelper output)
    {
        var seed = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with {Variable}={seed})");
        return seed;
    }
}
