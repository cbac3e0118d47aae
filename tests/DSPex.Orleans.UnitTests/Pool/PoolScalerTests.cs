using DSPex.Orleans.Workers.Scaling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// An elastic pool's decisions, from observations and a clock the test steps: grow when requests wait, shrink idle
/// workers, floor and ceiling, and no flapping under a steady load.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PoolScalerTests
{
    private static readonly ScalePolicy Policy = new(MinSize: 1, MaxSize: 4, Concurrency: 1, GrowAfter: TimeSpan.FromSeconds(1), IdleTimeout: TimeSpan.FromSeconds(10));

    private static ScaleObservation Queued(int active, int queued, long queuedAt, int starting = 0) =>
        new(active, starting, AllBusy: true, queued, queuedAt, []);

    private static ScaleObservation Idle(int active, params (int Slot, long Since)[] idle) =>
        new(active, 0, AllBusy: false, 0, null, [.. idle.Select(i => new IdleSlot(i.Slot, i.Since))]);

    [Fact]
    public void Requests_waiting_past_the_grow_delay_grow_the_pool_by_what_the_queue_needs()
    {
        var scaler = new PoolScaler(Policy);

        Assert.True(scaler.Decide(Queued(active: 1, queued: 2, queuedAt: 0), nowMs: 500).IsNone);
        var decision = scaler.Decide(Queued(active: 1, queued: 2, queuedAt: 0), nowMs: 1000);

        Assert.Equal(2, decision.Grow);
        Assert.Empty(decision.Retire);
    }

    [Fact]
    public void A_request_queued_before_the_first_observation_counts_from_when_it_was_queued()
    {
        var scaler = new PoolScaler(Policy);

        Assert.Equal(1, scaler.Decide(Queued(active: 1, queued: 1, queuedAt: 0), nowMs: 1500).Grow);
    }

    [Fact]
    public void Every_worker_busy_with_nothing_queued_grows_by_one_once_it_has_lasted()
    {
        var scaler = new PoolScaler(Policy);
        var allBusy = new ScaleObservation(2, 0, AllBusy: true, 0, null, []);

        Assert.True(scaler.Decide(allBusy, 0).IsNone);
        Assert.True(scaler.Decide(allBusy, 999).IsNone);
        Assert.Equal(1, scaler.Decide(allBusy, 1000).Grow);
    }

    [Fact]
    public void Pressure_that_ends_before_the_grow_delay_grows_nothing_and_starts_again_from_zero()
    {
        var scaler = new PoolScaler(Policy);
        var allBusy = new ScaleObservation(2, 0, AllBusy: true, 0, null, []);

        scaler.Decide(allBusy, 0);
        scaler.Decide(Idle(2), 900);

        Assert.True(scaler.Decide(allBusy, 1000).IsNone);
        Assert.True(scaler.Decide(allBusy, 1999).IsNone);
        Assert.Equal(1, scaler.Decide(allBusy, 2000).Grow);
    }

    [Fact]
    public void Workers_already_starting_count_against_what_the_queue_needs()
    {
        var scaler = new PoolScaler(Policy);

        Assert.True(scaler.Decide(Queued(active: 3, queued: 2, queuedAt: 0, starting: 2), 5000).IsNone);
        Assert.Equal(1, scaler.Decide(Queued(active: 3, queued: 3, queuedAt: 0, starting: 2), 6000).Grow);
    }

    [Fact]
    public void The_pool_never_grows_past_its_maximum()
    {
        var scaler = new PoolScaler(Policy);

        Assert.Equal(1, scaler.Decide(Queued(active: 3, queued: 50, queuedAt: 0), 1000).Grow);
        Assert.True(scaler.Decide(Queued(active: 4, queued: 50, queuedAt: 0), 60_000).IsNone);
    }

    [Fact]
    public void After_a_grow_the_next_one_waits_for_the_pressure_to_last_again()
    {
        var scaler = new PoolScaler(Policy);

        Assert.Equal(1, scaler.Decide(Queued(active: 1, queued: 1, queuedAt: 0), 1000).Grow);

        Assert.True(scaler.Decide(Queued(active: 2, queued: 1, queuedAt: 0), 1500).IsNone);
        Assert.Equal(1, scaler.Decide(Queued(active: 2, queued: 1, queuedAt: 0), 2000).Grow);
    }

    [Fact]
    public void Workers_idle_past_the_timeout_are_retired_longest_idle_first_never_below_the_minimum()
    {
        var scaler = new PoolScaler(Policy with { MinSize = 2 });

        var decision = scaler.Decide(Idle(4, (0, 5000), (1, 0), (2, 1000), (3, 9500)), nowMs: 15_000);

        Assert.Equal(0, decision.Grow);
        Assert.Equal([1, 2], decision.Retire);
    }

    [Fact]
    public void A_worker_idle_for_less_than_the_timeout_stays()
    {
        var scaler = new PoolScaler(Policy);

        Assert.True(scaler.Decide(Idle(2, (1, 0)), nowMs: 9_999).IsNone);
        Assert.Equal([1], scaler.Decide(Idle(2, (1, 0)), nowMs: 10_000).Retire);
    }

    [Fact]
    public void A_pool_at_its_minimum_retires_nothing_however_idle()
    {
        var scaler = new PoolScaler(Policy);

        Assert.True(scaler.Decide(Idle(1, (0, 0)), nowMs: 1_000_000).IsNone);
    }

    [Fact]
    public void Nothing_shrinks_until_the_pool_has_been_calm_for_the_idle_timeout()
    {
        var scaler = new PoolScaler(Policy);
        scaler.Decide(Queued(active: 3, queued: 1, queuedAt: 20_000), nowMs: 20_000);

        // Worker 2 has been idle long, but requests waited 5 s ago: the pool just needed its size.
        Assert.True(scaler.Decide(Idle(3, (2, 0)), nowMs: 25_000).IsNone);
        Assert.Equal([2], scaler.Decide(Idle(3, (2, 0)), nowMs: 30_000).Retire);
    }

    [Fact]
    public void A_pool_of_minimum_zero_retires_its_last_idle_worker_and_grows_from_zero_when_requests_wait()
    {
        var scaler = new PoolScaler(Policy with { MinSize = 0 });

        Assert.Equal([0], scaler.Decide(Idle(1, (0, 0)), nowMs: 10_000).Retire);
        // At zero, a request that waited (its on-demand start failed or was not made) still grows the pool.
        Assert.Equal(1, scaler.Decide(Queued(active: 0, queued: 1, queuedAt: 20_000), nowMs: 21_000).Grow);
    }

    [Fact]
    public void A_fixed_pool_never_scales()
    {
        var scaler = new PoolScaler(Policy with { MinSize = 3, MaxSize = 3 });

        Assert.True(scaler.Decide(Queued(active: 3, queued: 100, queuedAt: 0), 60_000).IsNone);
        Assert.True(scaler.Decide(Idle(3, (0, 0), (1, 0), (2, 0)), 1_000_000).IsNone);
    }

    /// <summary>
    /// A steady load of 3 callers on a pool of min 1, max 4 (one request per worker), observed every 100 ms for ten
    /// minutes: the callers take the worker idle longest (the scheduler's free list is FIFO), so at a tick up to 3 are
    /// busy. The pool grows to what the load keeps busy and then holds that size: no shrink, no further grow.
    /// </summary>
    [Fact]
    public void A_steady_load_settles_at_one_size_and_does_not_flap()
    {
        var scaler = new PoolScaler(Policy);
        var active = 1;
        var idleSince = new long[Policy.MaxSize];
        var grows = new List<long>();
        var shrinks = 0;
        var next = 0;
        for (long now = 0; now < 600_000; now += 100)
        {
            // Three calls of 100 ms each tick, taken in turn by the active workers (FIFO): with more workers than
            // callers each worker is busy one tick in (active / 3).
            var busy = new HashSet<int>();
            for (var call = 0; call < 3 && busy.Count < active; call++)
            {
                busy.Add(next);
                idleSince[next] = now + 100;
                next = (next + 1) % active;
            }

            var queued = Math.Max(0, 3 - active);
            var idle = Enumerable.Range(0, active).Where(s => !busy.Contains(s)).Select(s => new IdleSlot(s, idleSince[s])).ToList();
            var decision = scaler.Decide(new ScaleObservation(active, 0, busy.Count == active, queued, queued > 0 ? now : null, idle), now);
            if (decision.Grow > 0)
            {
                grows.Add(now);
                active += decision.Grow;
                next = 0;
            }

            shrinks += decision.Retire.Count;
            active -= decision.Retire.Count;
        }

        Assert.Equal(0, shrinks);
        Assert.InRange(active, 3, 4);
        // Every grow happened while the load ramped up (the first few seconds), none in the steady state after.
        Assert.All(grows, at => Assert.True(at < 10_000, $"grew at {at} ms"));
    }
}
