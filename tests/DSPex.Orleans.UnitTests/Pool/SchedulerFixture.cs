using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>A worker handle as the scheduler sees one: alive until it is marked exited.</summary>
internal sealed class FakeWorker(string name)
{
    public bool HasExited { get; set; }

    public override string ToString() => name;
}

/// <summary>A queued request that records how it ended.</summary>
internal sealed class RecordingWaiter(string name) : QueuedWaiter
{
    public bool GaveUp { get; private set; }

    protected override void OnGaveUp() => GaveUp = true;

    public override string ToString() => name;
}

internal static class SchedulerFixture
{
    public static CapacityScheduler<FakeWorker> Create(int slots, int concurrency = 1, int maxQueueLength = 10) =>
        new([.. Enumerable.Range(0, slots).Select(i => $"w{i}")], concurrency, maxQueueLength, static w => w.HasExited);

    /// <summary>A scheduler whose every slot has a started worker.</summary>
    public static (CapacityScheduler<FakeWorker> Scheduler, FakeWorker[] Workers) Started(int slots, int concurrency = 1, int maxQueueLength = 10)
    {
        var scheduler = Create(slots, concurrency, maxQueueLength);
        var workers = Enumerable.Range(0, slots).Select(i => new FakeWorker($"w{i}")).ToArray();
        for (var i = 0; i < slots; i++)
        {
            scheduler.Attach(i, workers[i], recycleAtRequest: 0);
        }

        return (scheduler, workers);
    }

    public static Acquisition<FakeWorker> Acquire(this CapacityScheduler<FakeWorker> scheduler, string name = "request") =>
        scheduler.Acquire<string>(null, null, true, name, static n => new RecordingWaiter(n));

    public static Acquisition<FakeWorker> AcquirePreferred(this CapacityScheduler<FakeWorker> scheduler, int slot, FakeWorker expected, bool mayWait = true, string name = "session request") =>
        scheduler.Acquire(slot, expected, mayWait, name, static n => new RecordingWaiter(n));
}
