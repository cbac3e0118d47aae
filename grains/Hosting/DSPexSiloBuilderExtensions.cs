using DSPex.Orleans.Calls;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Routing;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.Hosting;

/// <summary>Adds DSPex to an Orleans silo (the DSPex.Orleans.Hosting package).</summary>
public static class DSPexSiloBuilderExtensions
{
    /// <summary>
    /// Adds everything a silo needs to serve DSPex clients: the per-silo Python worker pool (with process safety)
    /// and session grains. Options bind from "DSPex:Pool" and "DSPex:Sessions"; the delegates run after binding.
    /// The trust boundary (API keys, callers from outside the cluster kept to the DSPex facade grains) is not
    /// included, because it would refuse outside calls to the application's own grains: add it with
    /// <see cref="DSPexSecuritySiloBuilderExtensions.AddDSPexSecurity"/> on a silo that hosts DSPex alone.
    /// The periodic orphan sweep needs a reminder service on the silo (for example UseInMemoryReminderService).
    /// </summary>
    public static ISiloBuilder AddDSPex(this ISiloBuilder builder, Action<DSPexPoolOptions>? configurePool = null, Action<DSPexSessionOptions>? configureSessions = null) =>
        builder.AddDSPexWorkerPool(configurePool).AddDSPexSessions(configureSessions);

    /// <summary>
    /// Adds the per-silo Python worker pool: worker, pool and router grains, silo-pinned placement, and the
    /// warm-up at start and process shutdown at stop. Options bind from the "DSPex:Pool" configuration section.
    /// </summary>
    public static ISiloBuilder AddDSPexWorkerPool(this ISiloBuilder builder, Action<DSPexPoolOptions>? configure = null)
    {
        builder.Services.AddValidatedOptions<DSPexPoolOptions, DSPexPoolOptionsValidator>(DSPexPoolOptions.SectionName, configure);

        // Orleans refuses a message past this before reading its body into memory: no request a worker could not
        // take anyway (over the frame limit) costs the silo its size first.
        builder.Services.AddOptions<SiloMessagingOptions>().Configure<IOptions<DSPexPoolOptions>>((messaging, pool) =>
            messaging.MaxMessageBodySize = RequestLimits.MessageBodyLimit(pool.Value.MaxFrameBytes));
        builder.Services.AddDSPexInstruments();
        builder.Services.AddSingleton(sp =>
        {
            var pool = ActivatorUtilities.CreateInstance<LocalWorkerPool>(sp);
            pool.Metrics = new PoolMetrics(sp.GetRequiredService<DSPexInstruments>(), pool);
            pool.Tools = sp.GetRequiredService<Tools.ToolBroker>();
            return pool;
        });
        builder.Services.AddValidatedOptions<DSPexToolOptions, DSPexToolOptionsValidator>(DSPexToolOptions.SectionName);
        builder.Services.TryAddSingleton<Tools.ToolBroker>();
        builder.Services.AddSingleton<PoolDispatcher>();
        builder.Services.AddSingleton<CallTracker>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PoolLifecycle>();
        builder.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        builder.AddDSPexProcessSafety();
        // A client's request never carries session variables or program specs into a worker's frame.
        builder.AddIncomingGrainCallFilter<Security.ClusterContextFilter>();
        // The benchmark's floor grain exists only where AddDSPexBenchmarkFloor asked for it.
        DSPexBenchmarkFloorExtensions.RemoveBenchmarkFloorUnlessEnabled(builder.Services);
        return builder;
    }
}
