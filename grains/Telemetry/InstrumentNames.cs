namespace DSPex.Orleans.Telemetry;

/// <summary>The DSPex meter and every instrument on it: dashboards and alerts depend on these names.</summary>
public static class InstrumentNames
{
    /// <summary>The meter's name: what an OpenTelemetry pipeline adds (AddMeter) to export DSPex's metrics.</summary>
    public const string MeterName = "DSPex.Orleans";

    /// <summary>Histogram (ms): time a request spent on a worker, by command.</summary>
    public const string RequestDuration = "dspex.request.duration";
    /// <summary>Counter: requests run by the pool, by command and outcome (ok or the error kind).</summary>
    public const string Requests = "dspex.requests";
    /// <summary>Counter: workers replaced after they died.</summary>
    public const string WorkerRestarts = "dspex.worker.restarts";
    /// <summary>Counter: workers replaced by the recycling policy (requests, age or memory).</summary>
    public const string WorkerRecycles = "dspex.worker.recycles";
    /// <summary>Counter: workers killed for missing heartbeats.</summary>
    public const string WorkersHungKilled = "dspex.worker.hung_killed";
    /// <summary>Gauge: live workers in this silo's pool.</summary>
    public const string PoolWorkers = "dspex.pool.workers";
    /// <summary>Gauge: workers running a request.</summary>
    public const string PoolBusy = "dspex.pool.busy";
    /// <summary>Gauge: requests waiting for a worker.</summary>
    public const string PoolQueued = "dspex.pool.queued";
    /// <summary>Gauge: the pool's current size (workers running or starting; an elastic pool's moves between min and max).</summary>
    public const string PoolSize = "dspex.pool.size";
    /// <summary>Gauge: the fewest workers the pool keeps.</summary>
    public const string PoolMinSize = "dspex.pool.min_size";
    /// <summary>Gauge: the most workers the pool grows to.</summary>
    public const string PoolMaxSize = "dspex.pool.max_size";
    /// <summary>Gauge: session grains active on this silo.</summary>
    public const string SessionsActive = "dspex.sessions.active";
    /// <summary>Counter: tool calls Python made, by tool and outcome.</summary>
    public const string ToolCalls = "dspex.tool.calls";
    /// <summary>Histogram: how long tool calls took, by tool and outcome.</summary>
    public const string ToolDuration = "dspex.tool.duration";

    /// <summary>Counter: orphan sweeps run.</summary>
    public const string ReaperSweeps = "dspex.reaper.sweeps";
    /// <summary>Counter: processes proven ours and ownerless.</summary>
    public const string ReaperOrphansFound = "dspex.reaper.orphans.found";
    /// <summary>Counter: orphans ended (tag mode: graceful or forced).</summary>
    public const string ReaperOrphansTerminated = "dspex.reaper.orphans.terminated";
    /// <summary>Counter: orphans that could not be ended, and unreadable registry files.</summary>
    public const string ReaperErrors = "dspex.reaper.errors";
    /// <summary>Histogram: processes with this cluster's marker a sweep left alone.</summary>
    public const string ReaperPreserved = "dspex.reaper.preserved";
}
