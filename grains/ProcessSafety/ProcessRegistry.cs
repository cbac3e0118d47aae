using DSPex.Orleans.Configuration;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// The processes this silo incarnation spawned, kept in memory and mirrored to a file, so that a crashed silo
/// leaves a record for the next sweep on its host. An entry leaves when its process exits: the file never grows
/// with stale entries.
/// </summary>
internal sealed class ProcessRegistry
{
    private readonly object _lock = new();
    private readonly Dictionary<int, ProcessRecord> _records = [];
    private readonly SiloPools _pool;
    private readonly ILogger<ProcessRegistry> _logger;
    private readonly ulong _ownerStartTime;
    private bool _closed;

    public ProcessRegistry(SiloPools pool, IOptions<ProcessSafetyOptions> options, IOptions<ClusterOptions> cluster, ILogger<ProcessRegistry> logger)
    {
        _pool = pool;
        _logger = logger;
        ClusterId = cluster.Value.ClusterId;
        Directory = options.Value.ResolveClusterDirectory(ClusterId);
        FilePath = Path.Combine(Directory, RegistryFiles.FileName(pool.SiloKey, pool.InstanceToken));
        _ownerStartTime = LinuxProcess.Read(Environment.ProcessId)?.StartTime ?? 0;
        pool.ProcessAttached += Add;
    }

    public string ClusterId { get; }

    /// <summary>The folder shared by this cluster's registry files on this host.</summary>
    public string Directory { get; }

    /// <summary>This incarnation's file.</summary>
    public string FilePath { get; }

    public IReadOnlyList<ProcessRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records.Values];
            }
        }
    }

    /// <summary>
    /// Checks the state directory (throws <see cref="UnsafeStateDirectoryException"/>: the silo does not start on a folder
    /// another user could write) and writes the (empty) file before any worker starts, so even a crash during warm-up
    /// leaves a record.
    /// </summary>
    public void Open()
    {
        StateDirectory.Ensure(Directory);
        lock (_lock)
        {
            _closed = false;
            Save();
        }
    }

    private void Add(PythonProcess process)
    {
        var proc = LinuxProcess.Read(process.Pid);
        if (proc is null || proc.HasExited)
        {
            return; // already gone: nothing to record
        }

        var record = new ProcessRecord(process.Pid, process.ProcessGroupId > 0 ? process.ProcessGroupId : proc.ProcessGroupId,
            proc.StartTime, LinuxProcess.BootId, process.WorkerId, process.Marker.ToString());
        lock (_lock)
        {
            _records[process.Pid] = record;
            Save();
        }

        process.ExitedEvent += Remove;
        if (process.HasExited)
        {
            Remove(process);
        }
    }

    private void Remove(PythonProcess process)
    {
        lock (_lock)
        {
            if (_records.Remove(process.Pid))
            {
                Save();
            }
        }
    }

    /// <summary>At a clean stop, once the processes are ended: the file goes (and the cluster folder, if it is empty).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _records.Clear();
            try
            {
                File.Delete(FilePath);
                if (!System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
                {
                    System.IO.Directory.Delete(Directory);
                }
            }
            catch (IOException)
            {
                // Another silo wrote its file in between: the folder stays.
            }
        }
    }

    // Runs under _lock.
    private void Save()
    {
        if (_closed)
        {
            return;
        }

        try
        {
            RegistryFiles.Write(FilePath, new RegistryFileContent(
                ClusterId, _pool.SiloKey, _pool.InstanceToken, Environment.ProcessId, _ownerStartTime, LinuxProcess.BootId, [.. _records.Values], LinuxProcess.OwnPidNamespace, Environment.MachineName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnsafeStateDirectoryException)
        {
            // The pool keeps working; the sweep's /proc scan by marker still covers these processes.
            _logger.RegistryNotWritten(e, FilePath);
        }
    }
}
