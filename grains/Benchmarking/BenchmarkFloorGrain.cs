using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Orleans.Concurrency;

namespace DSPex.Orleans.Benchmarking;

/// <summary>
/// The benchmark's floor: placed and scheduled exactly as the router (stateless worker, reentrant, on the gateway
/// that received the call), but it answers at once. Registered only by <see cref="Hosting.DSPexBenchmarkFloorExtensions"/>.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class BenchmarkFloorGrain : Grain, IBenchmarkFloorGrain
{
    public const string WorkerId = "orleans-floor";

    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(request is null
            ? ExecuteResponse.Failure(DSPexErrorKind.InvalidArguments, "request is required")
            : ExecuteResponse.Success(request.ArgsJson, WorkerId, 0));
}
