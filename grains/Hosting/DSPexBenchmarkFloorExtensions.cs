using DSPex.Orleans.Benchmarking;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace DSPex.Orleans.Hosting;

/// <summary>
/// The benchmark's floor grain (<see cref="Grains.IBenchmarkFloorGrain"/>) is compiled into the grains assembly, so
/// Orleans would find it like any grain; it is taken out of the silo's grain types unless this was called. Internal:
/// only dspex-silo (DSPex:Silo:BenchmarkFloor), the benchmark and the tests turn it on; it is no API for applications.
/// </summary>
internal static class DSPexBenchmarkFloorExtensions
{
    /// <summary>Keeps the floor grain type in this silo (benchmark silos only; see docs/configuration.md, DSPex:Silo:BenchmarkFloor).</summary>
    public static ISiloBuilder AddDSPexBenchmarkFloor(this ISiloBuilder builder)
    {
        builder.Services.AddSingleton<BenchmarkFloorEnabled>();
        return builder;
    }

    /// <summary>Removes the floor grain type from a silo that did not ask for it (called by the pool's registration).</summary>
    internal static void RemoveBenchmarkFloorUnlessEnabled(IServiceCollection services) =>
        services.AddOptions<GrainTypeOptions>().PostConfigure<IServiceProvider>((types, provider) =>
        {
            if (provider.GetService<BenchmarkFloorEnabled>() is null)
            {
                types.Classes.Remove(typeof(BenchmarkFloorGrain));
            }
        });
}

/// <summary>Marker service: this silo serves the benchmark floor grain.</summary>
internal sealed class BenchmarkFloorEnabled;
