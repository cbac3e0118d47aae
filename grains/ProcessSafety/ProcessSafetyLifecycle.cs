using DSPex.Orleans.Configuration;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// Opens the registry (refusing a state directory another user could write), makes this silo a child subreaper,
/// sweeps what dead incarnations left on this host before the pool warms up (the pool
/// starts at Active, this runs at BecomeActive); schedules the cluster-wide sweep reminder once the silo is active;
/// and at a clean stop, after the pool has stopped, ends anything of this incarnation still alive (in its records and
/// in its workers' cgroups, see <see cref="WorkerCgroups"/>) and removes its file.
/// </summary>
internal sealed class ProcessSafetyLifecycle(
    ProcessRegistry registry,
    OrphanSweeper sweeper,
    WorkerLeftovers leftovers,
    WorkerCgroups cgroups,
    IGrainFactory grainFactory,
    IOptions<ProcessSafetyOptions> options,
    ILogger<ProcessSafetyLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(ProcessSafetyLifecycle), ServiceLifecycleStage.BecomeActive, StartAsync, StopAsync);
        lifecycle.Subscribe($"{nameof(ProcessSafetyLifecycle)}.Reminder", ServiceLifecycleStage.Active, cancellationToken =>
        {
            // In the background: a reminder table that is slow to answer must not hold up the silo's start.
            _ = ScheduleAsync();
            return Task.CompletedTask;
        });
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Open();
        // Before the pool starts: what worker code spawns and detaches (setsid) must come back to this process.
        if (ChildSubreaper.Enable() is { } error)
        {
            logger.SubreaperRefused(error);
        }
        else
        {
            logger.SubreaperOn(leftovers.GetType().Name);
        }

        // Before the pool starts too: each worker's bridge moves itself into a cgroup below this one before any adapter runs.
        cgroups.Open();

        if (options.Value.SweepAtStart)
        {
            try
            {
                await sweeper.SweepAsync(SweepTriggers.Start);
            }
            catch (Exception e)
            {
                // A sweep that cannot run leaves orphans for a later one; it is no reason to keep the silo down.
                logger.StartSweepFailed(e);
            }
        }
    }

    private async Task ScheduleAsync()
    {
        try
        {
            await grainFactory.GetGrain<IReaperGrain>(IReaperGrain.ClusterKey).EnsureScheduledAsync();
        }
        catch (Exception e)
        {
            // Without a reminder service the start, stop and manual sweeps still run; only the periodic one is off.
            logger.SweepReminderNotRegistered(e);
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await sweeper.SweepOwnAtStopAsync();
        }
        catch (Exception e)
        {
            logger.StopSweepFailed(e);
        }

        try
        {
            // After the pool has stopped: what is left in a worker's cgroup is what its code left behind.
            await Task.Run(cgroups.EndAll, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.StopSweepFailed(e);
        }

        registry.Close();
    }
}
