using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Workloads;
using Python.Runtime;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Python.NET in this process: the same registered command functions, called with the same JSON-in/JSON-out
/// contract as DSPexClient.ExecuteRawAsync (a .NET string in, json.loads, the function, json.dumps, a .NET string out).
/// Used as its best users use it: a lone caller takes the GIL once on its dedicated thread and keeps it, so a
/// call is a plain CPython call; with several threads each takes the GIL per call, which is all CPython allows.
/// </summary>
public sealed class PythonNetScenario(string interpreter) : IScenario
{
    private const string Shim = """
        import json
        import dspex
        import dspex.builtins
        import dspex_bench_adapter
        _commands = dspex.commands()

        def call(name, args_json):
            return json.dumps(_commands[name](json.loads(args_json)), separators=(",", ":"), ensure_ascii=False)
        """;

    [ThreadStatic]
    private static bool t_holdsGil;

    private readonly Dictionary<string, PyObject> _names = [];
    private PyObject? _call;
    private static bool s_initialized;

    public string Name => "pythonnet-inproc";

    public string Description => "Python.NET 3.2.1 in this process; GIL held by a lone caller's thread, taken per call by several";

    /// <summary>One interpreter, one GIL: at most one thread runs Python at a time.</summary>
    public int Workers => 1;

    public bool CallsBlockThread => true;

    public string? PythonVersion { get; private set; }

    public long ResidentGrowthAtStart { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var rssBefore = OsProcess.ResidentBytes(Environment.ProcessId);
        var found = LibPythonLocator.Locate(interpreter);
        PythonVersion = found.Version;
        if (!s_initialized)
        {
            Runtime.PythonDLL = found.LibraryPath;
            PythonEngine.PythonHome = found.PythonHome;
            PythonEngine.Initialize();
            // Release the GIL from the initialising thread, or no other thread could ever take it.
            PythonEngine.BeginAllowThreads();
            s_initialized = true;
        }

        using (Py.GIL())
        {
            using var sys = Py.Import("sys");
            using var path = sys.GetAttr("path");
            path.InvokeMethod("insert", new PyInt(0), new PyString(BenchmarkPaths.BridgeDirectory)).Dispose();
            path.InvokeMethod("insert", new PyInt(0), new PyString(BenchmarkPaths.AdapterDirectory)).Dispose();
            var module = PyModule.FromString("dspex_bench_pythonnet", Shim);
            _call = module.GetAttr("call");
            foreach (var workload in Workload.All)
            {
                _names[workload.Command] = new PyString(workload.Command);
            }
        }

        ResidentGrowthAtStart = OsProcess.ResidentBytes(Environment.ProcessId) - rssBefore;
        return Task.CompletedTask;
    }

    public IDisposable? EnterCaller(int callerCount)
    {
        if (callerCount > 1)
        {
            return null;
        }

        var gil = Py.GIL();
        t_holdsGil = true;
        return new ReleaseGil(gil);
    }

    public ValueTask CallAsync(Workload workload, int caller)
    {
        if (t_holdsGil)
        {
            Invoke(workload);
        }
        else
        {
            using (Py.GIL())
            {
                Invoke(workload);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Invoke(Workload workload)
    {
        using var args = new PyString(workload.ArgsJson);
        using var result = _call!.Invoke(_names[workload.Command], args);
        _ = result.As<string>();
    }

    public ScenarioMemory? Memory() => new(
        Name, null, ResidentGrowthAtStart, [], "host RSS = growth of this process's RSS when the interpreter started");

    public ValueTask DisposeAsync()
    {
        // PythonEngine.Shutdown is not called: it is unreliable on .NET 8+; the interpreter ends with the process.
        return ValueTask.CompletedTask;
    }

    private sealed class ReleaseGil(Py.GILState gil) : IDisposable
    {
        public void Dispose()
        {
            t_holdsGil = false;
            gil.Dispose();
        }
    }
}
