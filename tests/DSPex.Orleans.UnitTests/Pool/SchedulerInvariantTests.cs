using CsCheck;
using DSPex.Orleans.UnitTests.Protocol;
using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// Random sequences of requests, releases, deaths, restarts and give-ups: no worker ever runs more than its
/// concurrency, a slot counts exactly the units out, a dead or replaced worker is never granted, and once every lease is returned the pool is back at
/// full capacity. Seeded: DSPEX_TEST_SEED replays a run (CsCheck prints the seed of a failure).
/// </summary>
[Trait("Category", "Unit")]
public sealed class SchedulerInvariantTests
{
    private const int Slots = 3;

    [Fact]
    public void Random_operations_keep_every_rule_and_end_at_full_capacity()
    {
        Gen.Select(Gen.Int[1, 3], Gen.Int[0, 4].Array[1, 80]).Sample((concurrency, operations) =>
        {
            var scheduler = SchedulerFixture.Create(Slots, concurrency, maxQueueLength: 4);
            var workers = new FakeWorker?[Slots];
            var held = new List<WorkerLease<FakeWorker>>();
            var waiting = new List<QueuedWaiter>();
            for (var i = 0; i < Slots; i++)
            {
                Start(i);
            }

            var step = 0;
            foreach (var operation in operations)
            {
                var slot = step++ % Slots;
                switch (operation)
                {
                    case 0:
                        var acquired = scheduler.Acquire();
                        if (acquired.Status == AcquireStatus.Granted)
                        {
                            Take(acquired.Lease);
                        }
                        else if (acquired.Waiter is { } waiter)
                        {
                            waiting.Add(waiter);
                        }

                        break;
                    case 1 when held.Count > 0:
                        Release(held[0]);
                        break;
                    case 2 when workers[slot] is { } worker:
                        worker.HasExited = true;
                        scheduler.WorkerExited(slot, worker, crashed: true);
                        workers[slot] = null;
                        break;
                    case 3 when workers[slot] is null:
                        Start(slot);
                        break;
                    case 4 when waiting.Count > 0:
                        waiting[0].Abandon();
                        scheduler.Forget(waiting[0]);
                        waiting.RemoveAt(0);
                        break;
                }

                // A slot counts every unit still out, a dead worker's too, until it comes back; a worker never runs more than its concurrency.
                for (var i = 0; i < Slots; i++)
                {
                    Assert.Equal(held.Count(l => l.Slot.Index == i), scheduler.View(i).InFlight);
                }

                Assert.All(held.GroupBy(l => l.Worker), units => Assert.InRange(units.Count(), 1, concurrency));
            }

            foreach (var waiter in waiting)
            {
                waiter.Abandon();
                scheduler.Forget(waiter);
            }

            while (held.Count > 0)
            {
                Release(held[0]);
            }

            for (var i = 0; i < Slots; i++)
            {
                if (workers[i] is null)
                {
                    Start(i);
                }
            }

            var full = Enumerable.Range(0, Slots * concurrency).Select(_ => scheduler.Acquire()).ToList();
            Assert.All(full, g => Assert.Equal(AcquireStatus.Granted, g.Status));
            Assert.All(full, g => Assert.False(g.Lease.Worker.HasExited));
            Assert.Equal(AcquireStatus.Queued, scheduler.Acquire().Status);

            void Start(int i)
            {
                workers[i] = new FakeWorker($"w{i}");
                foreach (var (_, lease) in scheduler.Attach(i, workers[i]!, recycleAtRequest: 0))
                {
                    Take(lease);
                }
            }

            void Take(WorkerLease<FakeWorker> lease)
            {
                Assert.False(lease.Worker.HasExited);
                Assert.Same(workers[lease.Slot.Index], lease.Worker);
                held.Add(lease);
            }

            void Release(WorkerLease<FakeWorker> lease)
            {
                held.Remove(lease);
                if (scheduler.Release(lease, succeeded: true).Next is { } next)
                {
                    waiting.Remove(next);
                    Take(lease);
                }
            }
        }, seed: ProtocolGen.Seed, iter: 2_000);
    }
}
