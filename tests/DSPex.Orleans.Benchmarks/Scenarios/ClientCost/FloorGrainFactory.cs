using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// The Orleans client's grain factory with one change: the router a DSPexClient asks for is the benchmark's floor
/// grain (same key, same request, answered at once without a pool or Python). A DSPexClient built over it runs its
/// whole execute path (checks, tracking, deadline sweep, retries, the token it passes) against Orleans' own floor, so
/// its cost per call minus orleans-floor's is the library's own, with the silo side identical.
/// </summary>
internal sealed class FloorGrainFactory(IGrainFactory inner, FloorDelayCalibration? delay = null) : IGrainFactory
{
    private readonly FloorRouter?[] _routers = new FloorRouter?[256];

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey
    {
        if (typeof(TGrainInterface) != typeof(IRouterGrain))
        {
            return inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
        }

        if ((ulong)primaryKey >= (ulong)_routers.Length)
        {
            return (TGrainInterface)(object)new FloorRouter(inner.GetGrain<IBenchmarkFloorGrain>(primaryKey), delay);
        }

        return (TGrainInterface)(object)(_routers[primaryKey] ??= new FloorRouter(inner.GetGrain<IBenchmarkFloorGrain>(primaryKey), delay));
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
        inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey =>
        inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        inner.CreateObjectReference<TGrainObserverInterface>(obj);

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        inner.DeleteObjectReference<TGrainObserverInterface>(obj);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => inner.GetGrain<TGrainInterface>(grainId);

    public IAddressable GetGrain(GrainId grainId) => inner.GetGrain(grainId);

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => inner.GetGrain(grainId, interfaceType);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string grainClassNamePrefix) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, grainClassNamePrefix);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    /// <summary>
    /// A router whose execute call is the floor grain's (held back by <paramref name="delay"/> when given: the request
    /// becomes the floor's floor-delay, everything else the library set on it kept); anything else is not part of the
    /// measured path.
    /// </summary>
    private sealed class FloorRouter(IBenchmarkFloorGrain floor, FloorDelayCalibration? delay) : IRouterGrain
    {
        public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken = default) =>
            floor.ExecuteAsync(delay is null ? request : request with { Command = Benchmarking.FloorDelay.Command, ArgsJson = delay.ArgsJson }, cancellationToken);

        public Task<ExecuteResponse> ExecuteInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, CancellationToken cancellationToken = default) =>
            throw Unsupported();

        public Task<ExecuteResponse> ExecuteProgramAsync(string sessionId, string programId, string argsJson, TimeSpan? timeout, Guid callId, SessionOptions options,
            Tools.ClientTools? tools = null, CancellationToken cancellationToken = default) => throw Unsupported();

        public IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request) => throw Unsupported();

        public IAsyncEnumerable<StreamItem> StreamInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options) => throw Unsupported();

        public Task<ExecuteResponse> ExecuteUploadAsync(ExecuteRequest request, IChunkSource source, long? declaredLength) => throw Unsupported();

        public Task<ExecuteResponse> ExecuteUploadInSessionAsync(string sessionId, ExecuteRequest request, SessionOptions options, IChunkSource source, long? declaredLength) =>
            throw Unsupported();

        public Task<ClusterStats> GetClusterStatsAsync() => throw Unsupported();

        // The gateway-loss check asks the router; through the floor no gateway is lost in a benchmark run.
        public Task<CallStatesReport> GetCallStatesAsync(Guid[] callIds) => throw Unsupported();

        private static NotSupportedException Unsupported() => new("the floor router serves ExecuteAsync only");
    }
}
