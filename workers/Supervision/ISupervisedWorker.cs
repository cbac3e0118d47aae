namespace DSPex.Orleans.Workers.Supervision;

/// <summary>
/// What a <see cref="WorkerSupervisor{TWorker}"/> needs of its one process: its identity, its end, its heartbeat and
/// memory, and the two ways to end it. The Python worker implements it; the supervisor's unit tests use a stand-in
/// with no process, so its rules (back-off, recycling, hung kills) are tested on their own.
/// </summary>
/// <typeparam name="TSelf">The worker type itself, as its exit event passes it.</typeparam>
internal interface ISupervisedWorker<TSelf>
    where TSelf : class
{
    int Pid { get; }

    /// <summary>Its exit has been observed (pending calls failed).</summary>
    bool HasExited { get; }

    /// <summary>True when its end was asked for (a stop), false for a crash.</summary>
    bool StopRequested { get; }

    DateTimeOffset StartedAt { get; }

    /// <summary>Resident memory at the last <see cref="SampleResidentBytes"/>.</summary>
    long ResidentBytes { get; }

    /// <summary>When it last answered a heartbeat (or the handshake), in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    long LastHeartbeatAtMs { get; }

    /// <summary>How many heartbeats it has answered: the health loop tells a new answer by this count changing.</summary>
    long HeartbeatAnswers { get; }

    /// <summary>Raised once, after its exit is observed; a handler must not block (it may run on a reader thread).</summary>
    event Action<TSelf>? ExitedEvent;

    /// <summary>Asks for a heartbeat answer; never blocks on a full pipe.</summary>
    void SendHeartbeat();

    /// <summary>Reads resident memory now.</summary>
    long SampleResidentBytes();

    /// <summary>
    /// Kills it at once (its whole process group), telling requests in flight why (null: its exit says why); false when
    /// a kill was already under way, so a check that runs again before the exit is observed does not count it twice.
    /// </summary>
    bool Kill(string? reason);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="gracePeriod"/>; returns once it has exited.</summary>
    Task StopAsync(TimeSpan gracePeriod);
}
