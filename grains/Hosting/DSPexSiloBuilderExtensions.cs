using DSPex.Orleans.Configuration;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.ProcessSafety;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Hosting;

public static class DSPexSiloBuilderExtensions
{
    /// <summary>
    /// Adds the per-silo Python worker pool: worker, pool and router grains, silo-pinned placement, and the
    /// warm-up at start and process shutdown at stop. Options bind from the "DSPex:Pool" configuration section.
    /// </summary>
    public static ISiloBuilder AddDSPexWorkerPool(this ISiloBuilder builder, Action<DSPexPoolOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<DSPexPoolOptions>().BindConfiguration(DSPexPoolOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<LocalWorkerPool>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PoolLifecycle>();
        builder.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        builder.AddDSPexProcessSafety();
        return builder;
    }
}
