using DSPex.Orleans.Configuration;
using DSPex.Orleans.Sessions;
using DSPex.Orleans.Sessions.Storage;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DSPex.Orleans.Hosting;

/// <summary>Adds DSPex sessions to a silo.</summary>
public static class DSPexSessionsSiloBuilderExtensions
{
    /// <summary>
    /// Adds session grains and their "sessions" grain storage: Redis when a connection string is configured
    /// ("DSPex:Sessions:RedisConnectionString"), in memory otherwise. Options bind from "DSPex:Sessions".
    /// </summary>
    public static ISiloBuilder AddDSPexSessions(this ISiloBuilder builder, Action<DSPexSessionOptions>? configure = null)
    {
        builder.Services.AddValidatedOptions<DSPexSessionOptions, DSPexSessionOptionsValidator>(DSPexSessionOptions.SectionName, configure);
        builder.Services.AddDSPexInstruments();
        builder.Services.TryAddSingleton<SessionActivations>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SessionActivations>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(new SessionClock(TimeProvider.System));
        var resolved = ResolveOptions(builder, configure);

        // No timer keeps a session in memory: an idle one is collected after this age and read back from storage.
        builder.Configure<GrainCollectionOptions>(o => o.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = resolved.IdleDeactivationAge);
        if (string.IsNullOrEmpty(resolved.RedisConnectionString))
        {
            builder.AddMemoryGrainStorage(DSPexSessionOptions.StorageName, o => o.GrainStorageSerializer = new SessionStorageSerializer());
            builder.Services.AddSingleton<ISessionKeyExpiry, NoSessionKeyExpiry>();
            return builder;
        }

        builder.AddRedisGrainStorage(DSPexSessionOptions.StorageName, redis => redis.Configure<IOptions<ClusterOptions>>((o, cluster) =>
        {
            o.ConfigurationOptions = ConfigurationOptions.Parse(resolved.RedisConnectionString);
            o.GrainStorageSerializer = new SessionStorageSerializer();
            o.DeleteStateOnClear = true;
            // The longest TTL: a session's own key expiry then shortens it, and a live session is never dropped early.
            o.EntryExpiry = resolved.MaxTtl;
            o.GetStorageKey = (_, grainId) => SessionStorageKeys.For(cluster.Value.ServiceId, grainId.Key.ToString()!);
        }));
        builder.Services.AddSingleton<ISessionKeyExpiry, RedisSessionKeyExpiry>();
        return builder;
    }

    // Storage is chosen while the silo is being built, so the options are read here once from configuration.
    private static DSPexSessionOptions ResolveOptions(ISiloBuilder builder, Action<DSPexSessionOptions>? configure)
    {
        var resolved = new DSPexSessionOptions();
        builder.Configuration.GetSection(DSPexSessionOptions.SectionName).Bind(resolved);
        configure?.Invoke(resolved);
        return resolved;
    }
}
