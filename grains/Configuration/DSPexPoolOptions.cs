namespace DSPex.Orleans.Configuration;

/// <summary>
/// Settings of one Python worker pool: the default pool (configuration section "DSPex:Pool") or a named pool
/// ("DSPex:Pools:NAME", named options of that name). Every setting is the pool's own; a named pool does not inherit
/// the default pool's values.
/// </summary>
public sealed class DSPexPoolOptions
{
    /// <summary>The configuration section the default pool's options bind from.</summary>
    public const string SectionName = "DSPex:Pool";

    /// <summary>The configuration section whose children are named pools, each bound as the options of that name.</summary>
    public const string NamedPoolsSectionName = "DSPex:Pools";

    /// <summary>The configuration section of a pool: "DSPex:Pool" for the default pool, "DSPex:Pools:NAME" otherwise.</summary>
    public static string SectionOf(string pool) =>
        pool == Contracts.PoolNames.Default ? SectionName : $"{NamedPoolsSectionName}:{pool}";

    /// <summary>
    /// Run this pool only on silos that carry this label (DSPex:Labels), for example "gpu"; null runs it on every
    /// silo. Routing and spill send its commands only to silos that run it. The default pool runs everywhere.
    /// </summary>
    public string? SiloLabel { get; set; }

    /// <summary>
    /// Python worker processes per silo, for a fixed pool (MinSize and MaxSize unset). With either of them set the
    /// pool is elastic, and Size stands in for the one not set.
    /// </summary>
    public int Size { get; set; } = System.Environment.ProcessorCount;

    /// <summary>
    /// The fewest workers an elastic pool keeps, however idle (null: <see cref="Size"/>). At least 1: a silo is ready
    /// only with a live worker in its default pool, and a request must not wait for a cold start.
    /// </summary>
    public int? MinSize { get; set; }

    /// <summary>The most workers an elastic pool grows to when requests wait (null: <see cref="Size"/>).</summary>
    public int? MaxSize { get; set; }

    /// <summary>The pool's minimum size: <see cref="MinSize"/>, else <see cref="Size"/>.</summary>
    public int EffectiveMinSize => MinSize ?? Size;

    /// <summary>The pool's maximum size (its slots): <see cref="MaxSize"/>, else <see cref="Size"/>.</summary>
    public int EffectiveMaxSize => MaxSize ?? Size;

    /// <summary>
    /// An elastic pool grows once requests have waited this long (or every worker was busy this long), checked at each
    /// <see cref="HeartbeatInterval"/>.
    /// </summary>
    public TimeSpan ScaleUpAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An elastic pool stops a worker that has been idle this long, when no request waited meanwhile either; never
    /// below <see cref="MinSize"/>.
    /// </summary>
    public TimeSpan ScaleDownIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The interpreter to start; resolved once to its real path (sys.executable), so a pyenv shim costs nothing per spawn.</summary>
    public string PythonExecutable { get; set; } = "python3";

    /// <summary>Python modules imported by every worker; their @command functions become commands.</summary>
    public List<string> AdapterModules { get; set; } = [];

    /// <summary>Directories added to PYTHONPATH so adapter modules can be found.</summary>
    public List<string> AdapterPaths { get; set; } = [];

    /// <summary>
    /// Directory holding dspex_bridge.py and the dspex package. Unset: Python/ in the application's output (where the build
    /// and the DSPex.Orleans.Hosting package put it), else the python/ folder of the package the grains assembly was loaded from.
    /// </summary>
    public string? BridgeDirectory { get; set; }

    /// <summary>
    /// Environment variables set for workers. Workers do not inherit the silo's environment: they get these, the
    /// variables named in <see cref="InheritEnvironment"/>, and what Python needs to run (PATH, HOME, locale, TMPDIR).
    /// </summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>
    /// Names of the silo's environment variables passed on to workers, for secrets a Kubernetes Secret puts in the
    /// silo's environment (for example an LLM provider's API key), so they never appear in configuration files.
    /// </summary>
    public List<string> InheritEnvironment { get; set; } = [];

    /// <summary>
    /// Requests one Python process serves at once: sync commands on a thread each, async commands as tasks on the
    /// worker's event loop. At most <see cref="MaxConcurrencyPerWorker"/>.
    /// </summary>
    public int ConcurrencyPerWorker { get; set; } = 1;

    /// <summary>
    /// The highest <see cref="ConcurrencyPerWorker"/>: a worker may start a thread per sync request in flight, and a
    /// process with thousands of threads is a configuration mistake, not a pool.
    /// </summary>
    public const int MaxConcurrencyPerWorker = 1024;

    /// <summary>
    /// Requests written to a busy worker's pipe ahead of its running ones when requests queue (0, the default, turns
    /// it off), so Python starts the next one as soon as it answers. Never session, program or stream calls, never to
    /// a worker being recycled; the bridge holds a call sent ahead until one of its ConcurrencyPerWorker slots frees.
    /// A call sent ahead waits behind the running one: it no longer counts as queued (no QueueTimeout, no spill to
    /// another silo, no PoolSaturated), only its deadline bounds it. For pools of short calls of similar length.
    /// </summary>
    public int SendAhead { get; set; }

    /// <summary>Largest accepted <see cref="SendAhead"/>: more would only hold requests a freed worker could take.</summary>
    public const int MaxSendAhead = 8;

    /// <summary>Requests allowed to wait for a free worker; beyond this the pool answers PoolSaturated.</summary>
    public int MaxQueueLength { get; set; } = 1000;

    /// <summary>How long a request may wait for a free worker before it fails with QueueTimeout.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session call in hint mode waits for its own busy worker before running on any worker.</summary>
    public TimeSpan AffinityHintWait { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Default deadline of a request once it reaches a worker, and of a whole stream, when the caller gives none.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest deadline a caller may ask for. A longer (or a zero or negative) one is refused as InvalidArguments
    /// rather than shortened, so a caller never gets less time than it believes it has. Capped at Orleans'
    /// response timeout of the execute calls (one day).
    /// </summary>
    public TimeSpan MaxRequestTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A stream that yields no item for this long ends with DeadlineExceeded and its worker is freed.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time a request past its deadline has to stop after the cancel frame before its worker is killed and replaced.</summary>
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a new worker has to start and send its ready frame before the start counts as failed.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between SIGTERM to a worker's process group and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>On silo stop, how long requests in flight may take to finish before the workers are stopped.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest frame (request or reply envelope, in bytes) either side of the pipe accepts; larger is FrameTooLarge.</summary>
    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Items a streaming command may send ahead of the caller's reading (backpressure window).</summary>
    public int StreamWindow { get; set; } = 16;

    /// <summary>How often each worker is asked for a heartbeat (and recycling limits are checked).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A worker that answers no heartbeat for this long is hung (stopped, deadlocked, stuck in C code): killed and replaced.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Recycle a worker after about this many requests (0: never); each worker draws its own limit within the jitter.</summary>
    public int RecycleAfterRequests { get; set; }

    /// <summary>Fraction by which each worker's request limit varies, so a pool does not recycle all at once.</summary>
    public double RecycleJitter { get; set; } = 0.1;

    /// <summary>Recycle a worker older than this (null: never).</summary>
    public TimeSpan? MaxWorkerAge { get; set; }

    /// <summary>Recycle a worker whose resident memory passes this many bytes (0: never).</summary>
    public long MaxWorkerResidentBytes { get; set; }

    /// <summary>Send a request to another silo's pool when this silo's queue is full.</summary>
    public bool SpillToOtherSilos { get; set; } = true;

    /// <summary>
    /// How many other silos, picked at random, a request this silo's queue cannot take tries before it is refused as
    /// saturated. Bounded so that an overloaded cluster of many silos does not multiply each refused request into a
    /// call to every silo (docs/scale.md).
    /// </summary>
    public int MaxSpillSilos { get; set; } = 3;

    /// <summary>
    /// The level each line a worker writes to stderr is logged at, under the category "DSPex.Orleans.PythonWorker"
    /// (Information by default; Debug or None quiets chatty adapters). The last lines still explain a crash.
    /// </summary>
    public Microsoft.Extensions.Logging.LogLevel StderrLogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
