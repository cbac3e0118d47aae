using DSPex.Orleans.Workers.Scheduling;
using DSPex.Orleans.Workers.Supervision;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.UnitTests.Pool;

/// <summary>
/// A worker as a supervisor sees one, with no process: it exits when told to (a crash) or when stopped, answers
/// heartbeats as the test sets, and writes what happens to it into the fixture's journal.
/// </summary>
internal sealed class StandInWorker(int pid, List<string> journal) : ISupervisedWorker<StandInWorker>
{
    private bool _killed;

    public int Pid { get; } = pid;

    public bool HasExited { get; private set; }

    public bool StopRequested { get; private set; }

    public DateTimeOffset StartedAt { get; set; } = DateTimeOffset.UtcNow;

    public long ResidentBytes { get; private set; }

    /// <summary>What the next memory sample reads.</summary>
    public long ResidentBytesNow { get; set; } = 1 << 20;

    public long LastHeartbeatAtMs { get; set; } = SupervisorFixture.Now;

    public int Heartbeats { get; private set; }

    public List<string?> KillReasons { get; } = [];

    public event Action<StandInWorker>? ExitedEvent;

    public void SendHeartbeat() => Heartbeats++;

    public long HeartbeatAnswers { get; set; }

    public long SampleResidentBytes() => ResidentBytes = ResidentBytesNow;

    /// <summary>Like a process: a second kill before the exit is observed says it was already under way.</summary>
    public bool Kill(string? reason)
    {
        KillReasons.Add(reason);
        journal.Add($"kill {Pid}");
        var first = !_killed;
        _killed = true;
        return first;
    }

    public Task StopAsync(TimeSpan gracePeriod)
    {
        journal.Add($"stop {Pid}");
        StopRequested = true;
        Exit();
        return Task.CompletedTask;
    }

    /// <summary>The process ends (a crash, unless it was stopped) and its end is observed.</summary>
    public void Exit()
    {
        if (!HasExited)
        {
            HasExited = true;
            ExitedEvent?.Invoke(this);
        }
    }

    public override string ToString() => $"pid {Pid}";
}

/// <summary>One slot's supervisor over a real scheduler, with a scripted starter and a stepped back-off.</summary>
internal sealed class SupervisorFixture : ISlotListener<StandInWorker>, IWorkerStarter<StandInWorker>
{
    /// <summary>The clock reading the tests' health checks pass; a worker's last heartbeat is on the same clock.</summary>
    public const long Now = 1_000_000;

    private readonly Queue<Exception?> _startOutcomes = new();
    private int _nextPid = 100;

    public SupervisorFixture(int slots = 1, SupervisorSettings? settings = null, int slot = 0)
    {
        Scheduler = new CapacityScheduler<StandInWorker>([.. Enumerable.Range(0, slots).Select(i => $"w{i}")], 1, 10, static w => w.HasExited);
        Background = new BackgroundWork(NullLogger.Instance);
        Supervisor = new WorkerSupervisor<StandInWorker>(slot, Scheduler, settings ?? Settings(), this, this, Background, NullLogger.Instance, Stop.Token,
            (delay, cancellationToken) =>
            {
                Waits.Add(delay);
                DuringWait?.Invoke();
                cancellationToken.ThrowIfCancellationRequested();
                return HeldBackOff?.Task.WaitAsync(cancellationToken) ?? Task.CompletedTask;
            });
    }

    public static SupervisorSettings Settings(TimeSpan? heartbeatTimeout = null, TimeSpan? cancelGrace = null, RecyclePolicy? recycle = null) =>
        new(TimeSpan.FromSeconds(5), heartbeatTimeout ?? TimeSpan.FromSeconds(10), cancelGrace ?? TimeSpan.FromSeconds(5), recycle ?? new RecyclePolicy(0, 0, null, 0), HeartbeatInterval);

    /// <summary>The stand-in health loop's period: a 10 s timeout takes 10 unanswered ticks.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    public CapacityScheduler<StandInWorker> Scheduler { get; }

    public BackgroundWork Background { get; }

    public WorkerSupervisor<StandInWorker> Supervisor { get; }

    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Runs while the supervisor waits out a back-off.</summary>
    public Action? DuringWait { get; set; }

    /// <summary>When set, every back-off wait lasts until the test completes it: the retry after it has not begun before.</summary>
    public TaskCompletionSource? HeldBackOff { get; init; }

    /// <summary>Every worker the starter made, in order.</summary>
    public List<StandInWorker> Started { get; } = [];

    public int StartCalls { get; private set; }

    /// <summary>The back-off waits the supervisor asked for, in order.</summary>
    public List<TimeSpan> Waits { get; } = [];

    /// <summary>Starts, joins, stops and kills, in the order they happened.</summary>
    public List<string> Journal { get; } = [];

    public List<string> StartErrors { get; } = [];

    public int Restarts { get; private set; }

    public int Recycles { get; private set; }

    public int HungKills { get; private set; }

    /// <summary>The next <paramref name="count"/> starts fail.</summary>
    public void FailNextStarts(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _startOutcomes.Enqueue(new InvalidOperationException($"start {i + 1} failed\nstderr: boom"));
        }
    }

    /// <summary>Waits (bounded, as a hang guard) for the restarts, recycles and kills the supervisor runs in the background.</summary>
    public async Task SettledAsync() => Assert.True(await Background.WhenAllAsync(TimeSpan.FromSeconds(30)), "the supervisor's background work did not end");

    Task<StandInWorker> IWorkerStarter<StandInWorker>.StartAsync(int slot, CancellationToken cancellationToken)
    {
        StartCalls++;
        cancellationToken.ThrowIfCancellationRequested();
        if (_startOutcomes.TryDequeue(out var failure) && failure is not null)
        {
            Journal.Add("start failed");
            return Task.FromException<StandInWorker>(failure);
        }

        var worker = new StandInWorker(_nextPid++, Journal);
        Started.Add(worker);
        Journal.Add($"start {worker.Pid}");
        return Task.FromResult(worker);
    }

    void ISlotListener<StandInWorker>.Joining(StandInWorker worker) => Journal.Add($"join {worker.Pid}");

    void ISlotListener<StandInWorker>.Granted(QueuedWaiter waiter, WorkerLease<StandInWorker> lease) => Journal.Add($"grant {lease.Worker.Pid}");

    void ISlotListener<StandInWorker>.StartFailed(string error) => StartErrors.Add(error);

    void ISlotListener<StandInWorker>.Restarting() => Restarts++;

    void ISlotListener<StandInWorker>.Recycling() => Recycles++;

    void ISlotListener<StandInWorker>.HungKilled() => HungKills++;
}

internal static class StandInScheduling
{
    public static Acquisition<StandInWorker> Acquire(this CapacityScheduler<StandInWorker> scheduler) =>
        scheduler.Acquire<string>(null, null, true, "request", static n => new RecordingWaiter(n));
}
