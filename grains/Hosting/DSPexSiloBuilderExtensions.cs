using DSPex.Orleans.Tools.Brokering;
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
        // Types are written as the previous release reads them (Contracts.WireNames).
        builder.Services.AddDSPexWireNames();
        builder.Services.AddOptions<SiloLabelOptions>().BindConfiguration(SiloLabelOptions.SectionName);
        foreach (var pool in builder.Configuration.GetSection(DSPexPoolOptions.NamedPoolsSectionName).GetChildren())
        {
            builder.AddDSPexPool(pool.Key);
        }

        // Orleans refuses a message past this before reading its body into memory: no request a worker could not
        // take anyway (over the frame limit) costs the silo its size first.
        builder.Services.AddOptions<SiloMessagingOptions>().Configure<IOptionsMonitor<DSPexPoolOptions>, IEnumerable<NamedPoolRegistration>>((messaging, pools, named) =>
            messaging.MaxMessageBodySize = RequestLimits.MessageBodyLimit(
                named.Select(r => pools.Get(r.Name).MaxFrameBytes).Append(pools.Get(Options.DefaultName).MaxFrameBytes).Max()));
        builder.Services.AddDSPexInstruments();
        builder.Services.AddSingleton<SiloPools>();
        // The default pool, for what serves one pool (readiness of a one-pool host, tests, the demo).
        builder.Services.AddSingleton(sp => sp.GetRequiredService<SiloPools>().Default);
        builder.Services.AddValidatedOptions<DSPexToolOptions, DSPexToolOptionsValidator>(DSPexToolOptions.SectionName);
        builder.Services.TryAddSingleton<ToolBroker>();
        builder.Services.AddSingleton<ClusterPools>();
        builder.Services.AddSingleton<PoolDispatcher>();
        builder.Services.AddSingleton<SessionStreams>();
        builder.Services.AddSingleton<SiloDeathWatch>();
        builder.Services.AddSingleton<CallTracker>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PoolLifecycle>();
        builder.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        builder.AddDSPexProcessSafety();
        // A client's request never carries session variables or program specs into a worker's frame.
        builder.AddIncomingGrainCallFilter<Security.Filters.ClusterContextFilter>();
        // The benchmark's floor grain exists only where AddDSPexBenchmarkFloor asked for it.
        DSPexBenchmarkFloorExtensions.RemoveBenchmarkFloorUnlessEnabled(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds a named pool to the silo, with options bound from "DSPex:Pools:NAME" and then <paramref name="configure"/>
    /// (its own interpreter, adapters, size and limits: nothing is inherited from the default pool). Every pool named
    /// under DSPex:Pools in the configuration is added by <see cref="AddDSPexWorkerPool"/> already; call this for a
    /// pool set up in code, after it. A pool with a SiloLabel runs only on silos whose DSPex:Labels carry it.
    /// </summary>
    public static ISiloBuilder AddDSPexPool(this ISiloBuilder builder, string name, Action<DSPexPoolOptions>? configure = null)
    {
        if (PoolNames.Check(name, nameof(name)) is { } invalid)
        {
            throw new ArgumentException(invalid.Message, nameof(name));
        }

        if (name == PoolNames.Default)
        {
            throw new ArgumentException("the default pool is configured with DSPex:Pool (AddDSPexWorkerPool), not as a named pool", nameof(name));
        }

        if (!builder.Services.Any(d => d.ServiceType == typeof(NamedPoolRegistration) && d.ImplementationInstance is NamedPoolRegistration r && r.Name == name))
        {
            builder.Services.AddSingleton(new NamedPoolRegistration(name));
            builder.Services.AddOptions<DSPexPoolOptions>(name).BindConfiguration(DSPexPoolOptions.SectionOf(name)).ValidateOnStart();
        }

        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        return builder;
    }
}
