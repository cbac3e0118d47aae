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
// SideBySideTests checks the rules that can be checked.
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
}
