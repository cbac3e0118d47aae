using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.UnitTests.ProcessSafety;

/// <summary>Made-up hosts for the sweep rules: no /proc, no processes. This silo is pid 500, uid 1000, silo "live".</summary>
internal sealed class SweepFactsBuilder
{
    public const string Cluster = "c1";
    public const string Boot = "boot-1";
    public const string Host = "host-1";
    public const string Namespace = "pid:[1]";
    public const int OwnPid = 500;
    public const uint Us = 1000;
    public const uint Stranger = 1001;
    public const string LiveSilo = "S-live";
    public const string LiveToken = "tok-live";
    public const string DeadSilo = "S-dead";
    public const string DeadToken = "tok-dead";
    public const int DeadOwnerPid = 400;
    public const ulong DeadOwnerStart = 100;

    private readonly List<ProcessSnapshot> _processes = [new(OwnPid, 1, OwnPid, OwnPid, Us, 50, Boot, 'S', null)];
    private readonly List<RegistryFileFacts> _files = [];
    private readonly List<ProcessRecord> _ownRecords = [];
    private readonly List<ClaimedWorker> _claimed = [];
    private readonly HashSet<string> _deadSilos = [];

    public static string Marker(string silo, int slot, string token, string cluster = Cluster) =>
        new ProcessMarker(cluster, silo, $"{silo}|{slot}", token).ToString();

    public static ProcessSnapshot Process(int pid, ulong start, string? marker = null, int parent = 1, int? group = null, int? session = null,
        uint uid = Us, char state = 'S', string? environment = null) =>
        new(pid, parent, group ?? pid, session ?? group ?? pid, uid, start, Boot, state, marker, environment);

    public SweepFactsBuilder With(params ProcessSnapshot[] processes)
    {
        _processes.AddRange(processes);
        return this;
    }

    /// <summary>A live worker of this silo: its process, its in-memory record, and the pool's claim.</summary>
    public SweepFactsBuilder WithLiveWorker(int pid, int slot, ulong start = 1000)
    {
        var marker = Marker(LiveSilo, slot, LiveToken);
        _processes.Add(Process(pid, start, marker, parent: OwnPid));
        _ownRecords.Add(new ProcessRecord(pid, pid, start, Boot, $"{LiveSilo}|{slot}", marker));
        _claimed.Add(new ClaimedWorker(pid, pid, marker));
        return this;
    }

    public SweepFactsBuilder WithOwnRecord(ProcessRecord record)
    {
        _ownRecords.Add(record);
        return this;
    }

    public SweepFactsBuilder WithFile(string path, RegistryFileContent content)
    {
        _files.Add(new RegistryFileFacts(path, content));
        return this;
    }

    /// <summary>The file of a crashed incarnation ("dead", owner pid 400 gone) recording the given processes.</summary>
    public SweepFactsBuilder WithDeadIncarnationFile(params ProcessRecord[] records) =>
        WithFile("/state/c1/silo-dead.json", DeadFile(records));

    public static RegistryFileContent DeadFile(params ProcessRecord[] records) =>
        new(Cluster, DeadSilo, DeadToken, DeadOwnerPid, DeadOwnerStart, Boot, records, Namespace, Host);

    public static ProcessRecord DeadRecord(int pid, ulong start, int slot = 0, int? group = null) =>
        new(pid, group ?? pid, start, Boot, $"{DeadSilo}|{slot}", Marker(DeadSilo, slot, DeadToken));

    public SweepFactsBuilder DeadInMembership(string silo)
    {
        _deadSilos.Add(silo);
        return this;
    }

    public SweepFacts Build(ulong now = 100_000, ulong handshake = 500) =>
        new(Cluster, LiveSilo, LiveToken, OwnPid, Us, Boot, Host, Namespace, _processes, _files, _ownRecords, _claimed, _deadSilos, now, handshake);
}
