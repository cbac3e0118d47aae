using DSPex.Orleans.Configuration;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Hosting;

/// <summary>Adds the DSPex process registry and orphan reaper to a silo.</summary>
public static class ProcessSafetySiloBuilderExtensions
{
    /// <summary>
    /// Adds the per-silo process registry and the orphan reaper (sweeps at start, stop, on a reminder and on request).
    /// Options bind from "DSPex:ProcessSafety". The periodic sweep needs a reminder service on the silo.
    /// </summary>
    public static ISiloBuilder AddDSPexProcessSafety(this ISiloBuilder builder)
    {
        builder.Services.AddValidatedOptions<ProcessSafetyOptions, ProcessSafetyOptionsValidator>(ProcessSafetyOptions.SectionName);
        builder.Services.AddDSPexInstruments();
        builder.Services.AddSingleton<ReaperMetrics>();
        builder.Services.AddSingleton<ProcessRegistry>();
        builder.Services.AddSingleton<OrphanSweeper>();
        builder.Services.AddSingleton<WorkerLeftovers>();
        builder.Services.AddSingleton<AdoptedChildren>();
        builder.Services.AddSingleton<WorkerCgroups>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ProcessSafetyLifecycle>();
        builder.Services.AddSingleton<SiloDeathWatch>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloDeathWatchLifecycle>();
        return builder;
    }
}
