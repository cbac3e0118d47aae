// Every test class of this assembly is in one collection, so the classes run one after another as they always have
// (a class's tests share its fixture; a class that names a shared collection shares that collection's fixture), except
// the classes named below. Each of those is in a collection of its own that xunit runs beside that one chain
// (xunit.runner.json: parallelizeTestCollections, at most maxParallelThreads tests at a time), because its time is
// mostly waiting (on a CLI process, a worker's start, another silo), not this process's CPU. The shared collections
// (CollectionDefinition) say DisableParallelization: they run after, alone, as before. A side-by-side collection may
// have a collection fixture of its own (an instance no class outside it sees).
//
// A class may go side by side only if nothing it asserts can see another cluster of this process: it observes no
// process-wide state (a MeterListener or ActivityListener, environment variables, the process table beyond pids it
// started), uses no fixture the chain uses, and sets no timeout a loaded machine could trip (the suite must pass
// with two busy loops beside it anyway; running beside the chain is that kind of load, not a new one).
//
// The process stage (real silo and CLI processes) adds its own rules, because there the chain's classes judge
// processes: a class stays in the chain when it stops a process (SIGSTOP) or kills a silo and judges what survives
// it, reads the process table or another process's /proc entries (ProcessesWithMarker, a death watch found by its
// parent), judges a heartbeat, a membership verdict or a silo's loss, or waits on a CLI's own short deadline
// (--connect-timeout) where it expects a pass. A real silo started side by side has its own cluster id, ports and
// state directory (RealSiloSettings.Fresh), so a chain class's sweep, marker scan or registry never counts its
// workers, and the side-by-side class only ever looks at its own silo's output, ports and pids.
// TestLayerTests checks the rules that can be checked (the collections are audited here; their source names none of
// the things above).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace DSPex.Orleans.Tests.TestSuite;

/// <summary>The collections that run beside the assembly's one chain of classes.</summary>
public static class SideBySide
{
    /// <summary>The prefix every side-by-side collection's name starts with (SideBySideTests finds them by it).</summary>
    public const string Prefix = "side by side: ";

    /// <summary>
    /// The CLI's tests against a cluster (each test runs `dspex` as a process of its own): a robustness cluster of their
    /// own (<see cref="Robustness.CliCollection"/>), not the shared one, which other classes observe.
    /// </summary>
    public const string Cli = Prefix + "the CLI against a robustness cluster";

    public const string SpillBound = Prefix + "SpillBoundTests";

    public const string AdapterRegistersNothing = Prefix + "AdapterRegistersNothingTests";

    public const string BridgeProtocolHandshake = Prefix + "BridgeProtocolHandshakeTests";

    // The process stage: each class starts its own real silo (TLS certificates, API keys, ports of its own) and waits
    // on its start and on HTTP, TLS or CLI answers from it; none stops, kills or scans a process it did not start.

    public const string MonitoringAccess = Prefix + "MonitoringAccessTests";

    public const string ClientCertificateRequired = Prefix + "ClientCertificateRequiredTests";

    /// <summary>The CLI over TLS against the class's own <see cref="Security.TlsSiloFixture"/> (a class fixture: no other class sees it).</summary>
    public const string CliSecurity = Prefix + "CliSecurityTests";

    public const string PortTaken = Prefix + "PortTakenTests";

    public const string TlsFileWarning = Prefix + "TlsFileWarningTests";

    public const string HttpAddressLog = Prefix + "HttpAddressLogTests";

    /// <summary>The CLI against the class's own silo with named pools (<see cref="NamedPools.CliPoolTests.PoolsSilo"/>, a class fixture).</summary>
    public const string CliPool = Prefix + "CliPoolTests";

    // More of the process stage, the same way: each starts its own real silo (RealSiloSettings.Fresh) and waits on its
    // start or its refusal to start, and on its own calls, HTTP or CLI answers; none stops, kills or scans a process it
    // did not start, and none waits on a deadline short enough for load to trip where it expects a pass (the CLI's
    // --connect-timeout stays CliProcess's 120 s hang guard). BoundedCallerInputTests and SessionNamespaceTests each
    // get their own BoundedCallerInputFixture (a class fixture), so each has its own silo. Left in the chain: the
    // classes that judge processes (ProcessSafety, SiloPause, StartupHealth), the ones with second-scale deadlines
    // expected to pass (GatewayProbe's 1-2 s health probe, OnDemandPool's 1 s idle retirement, HungInterpreter's 5 s
    // start), the doctor's own listing deadline (DoctorCli, PoolCheck, NamedPoolDoctor), DrainHealth's polling loop,
    // CliInputTests' refused port and the classes that run dotnet on this checkout (CliTool, HostingPackagePythonFiles).

    public const string BoundedCallerInput = Prefix + "BoundedCallerInputTests";

    public const string SessionNamespace = Prefix + "SessionNamespaceTests";

    public const string SiloSecurityStartup = Prefix + "SiloSecurityStartupTests";

    public const string SiloStartupCheck = Prefix + "SiloStartupCheckTests";

    public const string ScopedToolAccess = Prefix + "ScopedToolAccessTests";

    public const string PoolReadiness = Prefix + "PoolReadinessTests";

    public const string ElasticPoolCli = Prefix + "ElasticPoolCliTests";

    // The Redis stage: each class starts its own redis-server (a class fixture or one per test, on a free port) and its
    // own in-process cluster or real silo (its own cluster and service ids), and waits on their start, on Redis and on
    // its own calls; none kills a silo or judges a membership verdict, and a worker it kills is one of its own cluster's.
    // The classes that kill a silo, SIGSTOP one or judge membership (fail-over, gateway loss, Redis restart, the rolling
    // upgrade, the TLS intruder) stay in the chain, and so do the classes that run dotnet on this checkout's projects
    // (pack, publish --no-build, the previous release's build), which could meet in the projects' obj folders.

    public const string RedisTls = Prefix + "RedisTlsTests";

    public const string RedisSessionStorage = Prefix + "RedisSessionStorageTests";

    public const string RedisSessionFault = Prefix + "RedisSessionFaultTests";

    /// <summary>Its own redis-server and one-silo cluster (<see cref="Sessions.SessionWriteTests.RedisSessionCluster"/>, a class fixture).</summary>
    public const string SessionWrite = Prefix + "SessionWriteTests";

    public const string Affinity = Prefix + "AffinityTests";
}
