using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Grains;

/// <summary>
/// Orleans' own floor for the benchmark: the request a router takes, answered by the gateway silo without a pool
/// or Python, so "router call minus floor call" is what the cluster path adds per call. The grain type exists only
/// in a silo started with <c>DSPex:Silo:BenchmarkFloor=true</c> (off by default); elsewhere a call to it fails as a
/// call to an unknown grain type. Where it exists, it answers callers holding the <c>execute</c> scope.
/// </summary>
// Aliases: the interface keeps its full name and each method the id Orleans derived from its signature in the
// first release, so releases that differ in names or signatures still call each other (docs/operations.md#upgrading).
[Alias("DSPex.Orleans.Grains.IBenchmarkFloorGrain")]
public interface IBenchmarkFloorGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the request's own arguments as the result (the same bytes back as an echo), touching no worker.</summary>
    [ResponseTimeout(CallTracking.ExecuteResponseTimeout)]
    [Alias("E63B02AF")]
    ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default);
}
