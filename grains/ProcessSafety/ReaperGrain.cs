using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// The cluster-wide reaper: on its reminder (or when asked) it has the pinned reaper of every active silo sweep,
/// all at once, and gathers their reports.
/// </summary>
internal sealed class ReaperGrain(IClusterMembershipService membership, IOptions<ProcessSafetyOptions> options) : Grain, IReaperGrain, IRemindable
{
    public const string ReminderName = "dspex-orphan-sweep";
    private static readonly TimeSpan SiloSweepLimit = TimeSpan.FromMinutes(2);

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
                return (silo, report: await GrainFactory.GetGrain<ISiloReaperGrain>(SiloKeys.ForSilo(silo)).SweepAsync(trigger).WaitAsync(SiloSweepLimit));
            }
            catch (Exception)
            {
                return (silo, report: (SweepReport?)null);
            }
        }));
        return new ClusterSweepReport(
            [.. answers.Where(a => a.report is not null).Select(a => a.report!)],
            [.. answers.Where(a => a.report is null).Select(a => SiloKeys.ForSilo(a.silo))]);
    }
}
