using System.Globalization;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The tool round trip (issue 13), against cluster-remote's silo: a client of its own that offers the tool
/// <c>bench_echo</c>, and each call runs the adapter's <c>tool_calls</c> command, which calls that tool K times in a row
/// (Python -> silo -> this client's tool -> silo -> Python, K times) in place of the workload's command. cluster-remote's
/// ping in the same run is the baseline: (p50(K tool calls) - p50(ping)) / K is one tool call's cost.
/// The silo here is the stock dspex-silo executable, which registers no silo tools, so only a client tool is measured.
/// </summary>
public sealed class ToolRoundTripScenario(ClusterSettings cluster, ClusterRemoteScenario remote, int toolCalls) : IScenario
{
    public const string Prefix = "tool-client-k";

    private IHost? _connection;
    private DSPexClient? _client;
    private string _argsJson = "";

    public string Name => Prefix + toolCalls.ToString(CultureInfo.InvariantCulture);

    public string Description => $"cluster-remote's silo; each call runs tool_calls, {toolCalls} call(s) of this client's tool bench_echo (workload's command ignored)";

    public int Workers => cluster.PoolSize;

    public bool CallsBlockThread => false;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _argsJson = $$"""{"tool":"bench_echo","k":{{toolCalls}}}""";
        // Started after cluster-remote, whose silo is warm.
        _connection = await RemoteClientHost.ConnectAsync(
            cluster, o => o.AddTool<EchoArgs, int>("bench_echo", "Returns its argument", (args, _) => Task.FromResult(args.N)), cancellationToken);
        _client = _connection.Services.GetRequiredService<DSPexClient>();
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var response = await _client!.ExecuteResponseAsync("tool_calls", _argsJson);
        if (response.Error is { } error)
        {
            throw new InvalidOperationException($"{error.Kind}: {error.Message}");
        }
    }

    public int? SiloPid => remote.SiloPid;

    public IReadOnlyList<int> WorkerPids() => cluster.WorkerPids();

    /// <summary>Per caller count: one tool call's cost at p50 against cluster-remote's ping, and the tool calls per second.</summary>
    public static IEnumerable<string> Summarise(IReadOnlyList<CellResult> cells)
    {
        var pings = cells.Where(c => c.Scenario == "cluster-remote" && c.Workload == Workload.Ping.Name).ToDictionary(c => c.Callers);
        foreach (var cell in cells.Where(c => c.Scenario.StartsWith(Prefix, StringComparison.Ordinal) && c.Workload == Workload.Ping.Name))
        {
            if (!pings.TryGetValue(cell.Callers, out var ping))
            {
                continue;
            }

            var k = int.Parse(cell.Scenario[Prefix.Length..], CultureInfo.InvariantCulture);
            var perCall = (cell.P50Micros - ping.P50Micros) / k;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"tool round trip {cell.Scenario}, {cell.Callers} caller(s): p50 {cell.P50Micros:0} us vs ping {ping.P50Micros:0} us -> {perCall:0} us per tool call; "
                + $"{cell.CallsPerSecond:0} requests/s = {cell.CallsPerSecond * k:0} tool calls/s (ping {ping.CallsPerSecond:0}/s, ratio {cell.CallsPerSecond / Math.Max(ping.CallsPerSecond, 1e-9):0.00})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.StopAsync(TimeSpan.FromSeconds(10));
            _connection.Dispose();
            _connection = null;
        }
    }

    /// <summary>The tool's arguments: <c>{"n": 3}</c>.</summary>
    public sealed record EchoArgs(int N);
}
