namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// A second remote silo run side by side with the default one, to A/B a change in the same run on a noisy machine:
/// another build of dspex-silo.dll (say, the base commit built elsewhere) and/or extra environment variables.
/// </summary>
public sealed record SiloVariant(string Name, string? SiloAssembly, IReadOnlyDictionary<string, string> Environment)
{
    public override string ToString() =>
        string.Join(", ", new[] { SiloAssembly is null ? null : $"silo {SiloAssembly}" }
            .Concat(Environment.Select(e => $"{e.Key}={e.Value}"))
            .OfType<string>());
}
