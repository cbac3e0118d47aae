namespace DSPex.Orleans.Telemetry;

/// <summary>The DSPex meter and every instrument on it: dashboards and alerts depend on these names.</summary>
public static class InstrumentNames
{
    /// <summary>The meter's name: what an OpenTelemetry pipeline adds (AddMeter) to export DSPex's metrics.</summary>
    public const string MeterName = "DSPex.Orleans";

    public const string RequestDuration = "dspex.request.duration";
    public const string Requests = "dspex.requests";
    public const string WorkerRestarts = "dspex.worker.restarts";
    public const string WorkerRecycles = "dspex.worker.recycles";
    public const string WorkersHungKilled = "dspex.worker.hung_killed";
    public const string PoolWorkers = "dspex.pool.workers";
    public const string PoolBusy = "dspex.pool.busy";
    public const string PoolQueued = "dspex.pool.queued";
    public const string SessionsActive = "dspex.sessions.active";
    public const string ToolCalls = "dspex.tool.calls";
    public const string ToolDuration = "dspex.tool.duration";

    public const string ReaperSweeps = "dspex.reaper.sweeps";
    public const string ReaperOrphansFound = "dspex.reaper.orphans.found";
    public const string ReaperOrphansTerminated = "dspex.reaper.orphans.terminated";
    public const string ReaperErrors = "dspex.reaper.errors";
    public const string ReaperPreserved = "dspex.reaper.preserved";
}
