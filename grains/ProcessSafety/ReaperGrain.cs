using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// The cluster-wide reaper: on its reminder (or when asked) it has the pinned reaper of every active silo sweep,
/// all at once, and gathers their reports. Its own silo sweeps in-process: right after a silo crash, activating a
/// grain can wait on a directory partition the dead silo owned until membership declares it dead, and the silo
/// that hosts the reaper should not wait for that to clean up after the crash.
/// </summary>
internal sealed class ReaperGrain(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    OrphanSweeper localSweeper,
    IOptions<ProcessSafetyOptions> options,
    ILogger<ReaperGrain> logger)
    : Grain, IReaperGrain, IRemindable
{
    public const string ReminderName = "dspex-orphan-sweep";
    // Under the callers' 30 s response timeout, so a silo that died unnoticed shows as unreachable instead of failing the round.
    private static readonly TimeSpan SiloSweepLimit = TimeSpan.FromSeconds(25);

    public async Task EnsureScheduledAsync()
    {
        // Every silo asks at start; re-registering would restart the period each time one joins.
        if (await this.GetReminder(ReminderName) is null)
        {
            var period = options.Value.SweepPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == ReminderName ? SweepAsync(SweepTriggers.Reminder) : Task.CompletedTask;

    public Task<ClusterSweepReport> SweepAllAsync() => SweepAsync(SweepTriggers.Manual);

    private async Task<ClusterSweepReport> SweepAsync(string trigger)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        var answers = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                var sweep = silo.Equals(localSilo.SiloAddress)
                    ? localSweeper.SweepAsync(trigger)
                    : GrainFactory.GetGrain<ISiloReaperGrain>(SiloKeys.ForSilo(silo)).SweepAsync(trigger);
                return (silo, report: await sweep.WaitAsync(SiloSweepLimit));
            }
            catch (Exception e)
            {
                logger.SiloSweepUnanswered(e, silo, trigger);
                return (silo, report: (SweepReport?)null);
            }
        }));
        return new ClusterSweepReport(
            [.. answers.Where(a => a.report is not null).Select(a => a.report!)],
            [.. answers.Where(a => a.report is null).Select(a => SiloKeys.ForSilo(a.silo))]);
    }
}
