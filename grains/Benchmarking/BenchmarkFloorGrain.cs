using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Orleans.Concurrency;

namespace DSPex.Orleans.Benchmarking;

/// <summary>
/// The benchmark's floor: placed and scheduled exactly as the router (stateless worker, reentrant, on the gateway
/// that received the call), but it answers at once. Registered only by <see cref="Hosting.DSPexBenchmarkFloorExtensions"/>.
/// One command is its own: <see cref="FloorDelay.Command"/> answers after the delay its arguments name, so the
/// benchmark can hold the floor's reply back as long as the full path takes and see what waiting alone costs the client.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class BenchmarkFloorGrain : Grain, IBenchmarkFloorGrain
{
    public const string WorkerId = "orleans-floor";

    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return ValueTask.FromResult(ExecuteResponse.Failure(DSPexErrorKind.InvalidArguments, "request is required"));
        }

        if (request.Command == FloorDelay.Command)
        {
            return FloorDelay.TryRead(request.ArgsJson, out var delay, out var problem)
                ? AnswerAfterAsync(request, delay, cancellationToken)
                : ValueTask.FromResult(ExecuteResponse.Failure(DSPexErrorKind.InvalidArguments, problem));
        }

        return ValueTask.FromResult(ExecuteResponse.Success(request.ArgsJson, WorkerId, 0));
    }

    private static async ValueTask<ExecuteResponse> AnswerAfterAsync(ExecuteRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.Cancelled, "the floor's delay was cancelled");
        }

        return ExecuteResponse.Success(request.ArgsJson, WorkerId, 0);
    }
}
