using DSPex.Orleans.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Opens the registry and sweeps what dead incarnations left on this host before the pool warms up (the pool
/// starts at Active, this runs at BecomeActive); schedules the cluster-wide sweep reminder once the silo is active;
/// and at a clean stop, after the pool has stopped, ends anything of this incarnation still alive and removes its file.
/// </summary>
internal sealed class ProcessSafetyLifecycle(
    ProcessRegistry registry,
    OrphanSweeper sweeper,
    IGrainFactory grainFactory,
    IOptions<ProcessSafetyOptions> options,
    ILogger<ProcessSafetyLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(ProcessSafetyLifecycle), ServiceLifecycleStage.BecomeActive, StartAsync, StopAsync);
        lifecycle.Subscribe($"{nameof(ProcessSafetyLifecycle)}.Reminder", ServiceLifecycleStage.Active, ScheduleAsync);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Open();
        if (options.Value.SweepAtStart)
        {
            await sweeper.SweepAsync(SweepTriggers.Start);
        }
    }

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grainFactory.GetGrain<IReaperGrain>(IReaperGrain.ClusterKey).EnsureScheduledAsync();
        }
        catch (Exception e)
        {
            // Without a reminder service the start, stop and manual sweeps still run; only the periodic one is off.
            logger.LogWarning("Periodic orphan sweeps are off: the sweep reminder could not be registered ({Error})", e.Message);
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await sweeper.SweepOwnAtStopAsync();
        registry.Close();
    }
}
