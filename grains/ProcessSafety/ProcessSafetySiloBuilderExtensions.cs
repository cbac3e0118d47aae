using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.ProcessSafety;

public static class ProcessSafetySiloBuilderExtensions
{
    /// <summary>
    /// Adds the per-silo process registry and the orphan reaper (sweeps at start, stop, on a reminder and on request).
    /// Options bind from "DSPex:ProcessSafety". The periodic sweep needs a reminder service on the silo.
    /// </summary>
    public static ISiloBuilder AddDSPexProcessSafety(this ISiloBuilder builder)
    {
        builder.Services.AddOptions<ProcessSafetyOptions>().BindConfiguration(ProcessSafetyOptions.SectionName);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ReaperMetrics>();
        builder.Services.AddSingleton<ProcessRegistry>();
        builder.Services.AddSingleton<OrphanSweeper>();
        builder.Services.AddSingleton<WorkerLeftovers>();
        builder.Services.AddSingleton<AdoptedChildren>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ProcessSafetyLifecycle>();
        return builder;
    }
}
