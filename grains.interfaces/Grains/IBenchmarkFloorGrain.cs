using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// Orleans' own floor for the benchmark: the request a router takes, answered by the gateway silo without a pool
/// or Python, so "router call minus floor call" is what the cluster path adds per call. The grain type exists only
/// in a silo started with <c>DSPex:Silo:BenchmarkFloor=true</c> (off by default); elsewhere a call to it fails as a
/// call to an unknown grain type. Where it exists, it answers callers holding the <c>execute</c> scope.
/// </summary>
public interface IBenchmarkFloorGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the request's own arguments as the result (the same bytes back as an echo), touching no worker.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);
}
