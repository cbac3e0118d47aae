using System.Text;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Workloads;
using Grpc.Core;
using Grpc.Net.Client;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// The nearest peer's transport: N Python gRPC servers (grpcio, python-grpc/grpc_peer_server.py), each serving the same
/// command functions as a bridge worker, called from this process through Grpc.Net.Client, one HTTP/2 channel per
/// server. Caller i uses server i mod N, as the raw pipe's callers use its workers. Raw bytes both ways (JSON text, as
/// DSPexClient sends and returns it): no protobuf, no generated code. Skipped with a note when no Python here can
/// import grpc (Debian: apt-get install -y python3-grpcio).
/// </summary>
public sealed class GrpcPeerScenario(int servers, string pythonExecutable, string marker) : IScenario
{
    /// <summary>Threads of each server's handler pool: enough that a caller never waits for a free one.</summary>
    private const int ServerThreads = 4;

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private readonly List<GrpcPeerServer> _servers = [];
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<CallInvoker> _invokers = [];
    private readonly Dictionary<string, Method<byte[], byte[]>> _methods = [];

    public string Name => "grpc-peer";

    public string Description =>
        $"Grpc.Net.Client in this process -> loopback HTTP/2 -> {servers} Python grpcio server(s) ({ServerThreads} handler threads each), raw-bytes unary methods; no Orleans";

    public int Workers => servers;

    public bool CallsBlockThread => false;

    /// <summary>The marker on every server's command line (the run's left-behind check looks for it).</summary>
    public string Marker => marker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var interpreter = GrpcPeerServer.FindInterpreter(pythonExecutable)
            ?? throw new ScenarioUnavailableException(
                $"no Python here imports grpc (tried {pythonExecutable} and /usr/bin/python3); install python3-grpcio (apt-get install -y python3-grpcio) for the gRPC peer column");
        var started = await Task.WhenAll(Enumerable.Range(0, servers).Select(_ => GrpcPeerServer.StartAsync(interpreter, ServerThreads, marker, cancellationToken)));
        _servers.AddRange(started);
        foreach (var server in _servers)
        {
            var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}", new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 16 * 1024 * 1024,
                MaxSendMessageSize = 16 * 1024 * 1024,
            });
            await channel.ConnectAsync(cancellationToken);
            _channels.Add(channel);
            _invokers.Add(channel.CreateCallInvoker());
        }

        foreach (var workload in Workload.All)
        {
            _methods[workload.Command] = new Method<byte[], byte[]>(MethodType.Unary, "dspex.bench.Peer", workload.Command, Bytes, Bytes);
        }
    }

    public async ValueTask CallAsync(Workload workload, int caller)
    {
        var request = Encoding.UTF8.GetBytes(workload.ArgsJson);
        using var call = _invokers[caller % _invokers.Count].AsyncUnaryCall(_methods[workload.Command], null, default, request);
        var reply = await call.ResponseAsync;
        // The result as DSPexClient returns it: a string.
        _ = Encoding.UTF8.GetString(reply);
    }

    public IReadOnlyList<int> WorkerPids() => [.. _servers.Select(s => s.Pid)];

    public ScenarioMemory? Memory() => new(
        Name, null, null, [.. _servers.Select(s => OsProcess.ResidentBytes(s.Pid))], "Python gRPC server processes started by the benchmark");

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _channels.Clear();
        _invokers.Clear();
        await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask()));
        _servers.Clear();
    }
}
