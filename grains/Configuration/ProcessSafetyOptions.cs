using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Configuration;

/// <summary>Settings of the process registry and the orphan reaper (configuration section "DSPex:ProcessSafety").</summary>
public sealed class ProcessSafetyOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "DSPex:ProcessSafety";

    /// <summary>
    /// Root of the registry files; each cluster id gets a folder below it. Default: $XDG_RUNTIME_DIR/dspex-orleans,
    /// else /tmp/dspex-orleans-UID. Silos on one host must share it (and run as one user) for one to clean up after
    /// another. It must be owned by the silo's user and writable by it alone (missing folders are created 0700):
    /// otherwise the silo refuses to start.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Period of the cluster-wide sweep reminder (Orleans enforces ReminderOptions.MinimumReminderPeriod).</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time an orphan's process group has between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Sweep for what dead incarnations left on this host before the pool starts.</summary>
    public bool SweepAtStart { get; set; } = true;

    /// <summary>
    /// Run each worker in a cgroup (v2) of its own, below the silo's cgroup, where the silo can write it: everything a
    /// worker's code starts stays in it (through setsid, exec with an empty environment, fork without exec) and is
    /// ended with the worker. Where cgroups cannot be written (most unprivileged containers) the silo logs it and falls
    /// back to the marker in the worker's environment. Set false when another manager owns the silo's cgroup subtree
    /// (a systemd unit without Delegate=yes).
    /// </summary>
    public bool WorkerCgroups { get; set; } = true;

    /// <summary>The folder of this cluster's registry files: <see cref="StateDirectory"/> (or the default root) / cluster id.</summary>
    public string ResolveClusterDirectory(string clusterId)
    {
        var root = string.IsNullOrEmpty(StateDirectory) ? DefaultStateRoot() : StateDirectory;
        return Path.Combine(root, clusterId);
    }

    /// <summary>The state root when <see cref="StateDirectory"/> is unset: $XDG_RUNTIME_DIR/dspex-orleans, else a per-uid folder in the temp folder.</summary>
    internal static string DefaultStateRoot()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime)
            ? Path.Combine(Path.GetTempPath(), $"dspex-orleans-{NativeFiles.EffectiveUserId}")
            : Path.Combine(runtime, "dspex-orleans");
    }
}
