using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Client.Uploads;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// One upload call, alone or in a session: the caller's chunks behind a chunk source the silo running the command reads
/// from, the request sent once (its data is read once, so it is never retried), the source closed when the call ends.
/// </summary>
internal static class UploadCall
{
    /// <summary>Checks an upload's own arguments (the request's are checked as any call's).</summary>
    public static void Check(object? chunks, long? declaredLength)
    {
        ClientChecks.Present(chunks, "chunks");
        if (declaredLength is < 0)
        {
            throw new InvalidArgumentsException($"declaredLength is {declaredLength}; a length is 0 or more");
        }
    }

    public static async Task<DSPexData> RunAsync(IGrainFactory grainFactory, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks,
        Func<IChunkSource, Task<ExecuteResponse>> send, CancellationToken cancellationToken)
    {
        // Cancelled when the call ends, so a source still being read (the silo gave up on it) is told to stop.
        using var callEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new ChunkReader(chunks.GetAsyncEnumerator(callEnded.Token), cancellationToken);
        var source = grainFactory.CreateObjectReference<IChunkSource>(reader);
        try
        {
            var response = await ClusterCalls.Guard(() => send(source)).ConfigureAwait(false);
            return DSPexData.Of(response);
        }
        finally
        {
            grainFactory.DeleteObjectReference<IChunkSource>(source);
            await callEnded.CancelAsync().ConfigureAwait(false);
            await reader.DisposeWhenIdleAsync().ConfigureAwait(false);
        }
    }
}
