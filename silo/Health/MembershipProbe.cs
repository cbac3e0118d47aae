using Orleans.Clustering.Redis;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.Silo.Health;

/// <summary>
/// Whether this silo is an active member of its cluster: in its own view of membership, and in the membership table
/// itself (read directly, since Orleans keeps its own entry in its view when the table loses it: after Redis restarts
/// empty, the view says Active while no client or new silo can find this silo).
/// </summary>
internal sealed class MembershipProbe(
    ILocalSiloDetails localSilo,
    IClusterMembershipService membership,
    IOptions<ClusterMembershipOptions> membershipOptions,
    IServiceProvider services)
{
    /// <summary>The outcome: null when all is well; <c>Lost</c> when the cluster no longer counts this silo as a member.</summary>
    public sealed record Result(string? Problem, bool Lost)
    {
        public static readonly Result Member = new(null, false);
    }

    public async Task<Result> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var self = localSilo.SiloAddress;
        var status = membership.CurrentSnapshot.GetSiloStatus(self);
        if (status != SiloStatus.Active)
        {
            return new($"this silo is {status} in its view of the cluster's membership, not Active", status == SiloStatus.Dead);
        }

        // Registered by every clustering provider (Redis, the localhost development cluster); none in exotic hosts.
        if (services.GetService(typeof(IMembershipTable)) is not IMembershipTable table)
        {
            return Result.Member;
        }

        MembershipTableData row;
        try
        {
            row = await table.ReadRowAsync(self, cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (RedisClusteringException e)
        {
            // Redis answered, without the table (Orleans' Redis provider: "the table version is missing"): it was emptied.
            return new($"the membership table is gone: {e.Message}", true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not lost: while the table cannot be read, a restarted silo could not join either. /readyz is open to the
            // kubelet (and whoever reaches the HTTP port): it names the failure, and the silo's log has the rest.
            var why = e is TimeoutException ? $"no answer within {timeout.TotalSeconds:0.#} s" : $"{e.GetType().Name} (the silo's log has its message)";
            return new($"the membership table cannot be read: {why}", false);
        }

        var entry = row.Members.Select(m => m.Item1).FirstOrDefault(e => e.SiloAddress.Equals(self));
        if (entry is null)
        {
            return new($"this silo ({self}) is missing from the membership table: its row was removed, or the table emptied", true);
        }

        if (entry.Status != SiloStatus.Active)
        {
            return new($"the membership table has this silo as {entry.Status}", entry.Status == SiloStatus.Dead);
        }

        var now = DateTime.UtcNow;
        var suspecters = (entry.SuspectTimes ?? [])
            .Where(s => now - s.Item2 < membershipOptions.Value.DeathVoteExpirationTimeout)
            .Select(s => s.Item1).Distinct().Count();
        return suspecters > 0
            ? new($"{suspecters} silo(s) suspect this silo of being dead (votes in the membership table)", false)
            : Result.Member;
    }
}
