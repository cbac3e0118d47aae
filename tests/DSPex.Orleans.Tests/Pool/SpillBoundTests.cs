using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Placement;
using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// A request the local queue cannot take tries at most MaxSpillSilos other silos, at random: in a cluster of many
/// silos an overload must not turn every refused request into a call to every silo (docs/scale.md).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TestSuite.SideBySide.SpillBound)]
public sealed class SpillBoundTests
{
    [Fact]
    public async Task A_saturated_silo_tries_only_as_many_other_silos_as_configured()
    {
        var cluster = await TestClusters.StartAsync(3, new Dictionary<string, string> { ["Size"] = "1", ["MaxQueueLength"] = "0", ["MaxSpillSilos"] = "1" });
        using var hold = new CancellationTokenSource();
        var holders = new List<Task<ExecuteResponse>>();
        try
        {
            var silos = cluster.GetActiveSilos().Select(s => s.SiloAddress).ToList();
            var primary = cluster.Primary!.SiloAddress;
            var busy = silos.First(s => !s.Equals(primary));
            var free = silos.Single(s => !s.Equals(primary) && !s.Equals(busy));
            foreach (var silo in new[] { primary, busy })
            {
                var pool = cluster.PoolOf(silo);
                holders.Add(pool.ExecuteAsync(new ExecuteRequest("sleep", """{"seconds":60}"""), hold.Token).AsTask());
                await Eventually.HoldsAsync(pool.GetStatsAsync, s => s.Busy == 1, "worker busy");
            }

            // One other silo per request, picked at random: the busy one refuses, the free one serves. With every
            // other silo tried, none of these would be refused while one silo is free.
            var router = cluster.GetSiloServiceProvider(primary).GetRequiredService<IGrainFactory>().GetGrain<IRouterGrain>(0);
            var answers = new List<ExecuteResponse>();
            for (var i = 0; i < 40; i++)
            {
                answers.Add(await router.ExecuteAsync(new ExecuteRequest("ping", "{}")));
            }

            Assert.Contains(answers, a => a.Error?.Kind == DSPexErrorKind.PoolSaturated);
            Assert.Contains(answers, a => a.IsSuccess);
            Assert.All(answers.Where(a => a.IsSuccess), a => Assert.StartsWith(SiloKeys.ForSilo(free), a.WorkerId));
        }
        finally
        {
            await hold.CancelAsync();
            foreach (var holder in holders)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
            }

            await cluster.StopAndDisposeAsync();
        }
    }
}
