using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Pool;

/// <summary>Upload calls: a command that reads the caller's data as a stream of chunks (dspex.upload()).</summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Runs an upload call: the call is written with its chunk window (StreamWindow), then each chunk is read from the
    /// caller's <paramref name="source"/> only once the bridge has credit for it, so never more than the window is in
    /// flight between the caller and the command. Data that ends early or runs past <paramref name="declaredLength"/>,
    /// a source that fails, a chunk past the frame limit and a deadline that passes each end the upload (chunks_end
    /// with the reason, so the command's read raises) and answer the caller with that typed error, naming the chunk;
    /// the worker keeps serving once its command returns (or is replaced past the cancel grace, as any call).
    /// </summary>
    public Task<ExecuteResponse> ExecuteUploadAsync(ExecuteRequest request, IChunkSource source, long? declaredLength, CancellationToken cancellationToken) =>
        ExecuteUploadAsync(request, source, declaredLength, null, cancellationToken);

    /// <summary>An upload in a session: the session's context goes with the call, and it prefers the session's worker (<paramref name="affinity"/>).</summary>
    public async Task<ExecuteResponse> ExecuteUploadAsync(ExecuteRequest request, IChunkSource source, long? declaredLength, WorkerAffinity? affinity,
        CancellationToken cancellationToken)
    {
        if (_validator.Check(request) is { } invalid)
        {
            return ExecuteResponse.Failure(invalid);
        }

        if (declaredLength is < 0)
        {
            return ExecuteResponse.Failure(DSPexErrorKind.InvalidArguments, $"the upload declares {declaredLength} bytes; a length is 0 or more");
        }

        if (StartFailed() is { } startFailed)
        {
            return ExecuteResponse.Failure(startFailed);
        }

        request = WithToolCaller(request);
        var acquired = await AcquireAsync(null, affinity, cancellationToken);
        if (!acquired.IsGranted)
        {
            return acquired.Failure;
        }

        var lease = acquired.Grant.Lease;
        var deadline = _validator.DeadlineOf(request);
        var window = _options.StreamWindow;
        var call = Write(lease, new BridgeCall(request.Command, request.ArgsJson, request.Session.ToCall(), request.Program.ToCall(), Trace: TraceContext.Current().ToCall(), Tools: Tools?.Open(request),
            Deadline: deadline, Parts: request.ArgParts, UploadWindow: window));
        if (!call.Sent)
        {
            return ExecuteResponse.Failure(call.Finished.Result.Error!.ToExecuteError(), lease.Slot.WorkerId, lease.Worker.Pid);
        }

        var connection = lease.Worker.Connection;
        ExecuteError? failed;
        using (var upload = connection.OpenUpload(call.Id, window))
        {
            try
            {
                failed = await PumpUploadAsync(connection, call.Id, upload, source, declaredLength, deadline, cancellationToken);
            }
            finally
            {
                connection.CloseUpload(call.Id);
            }
        }

        connection.EndChunks(call.Id, failed?.Message);
        var response = await AwaitReplyAsync(lease, call, request, cancellationToken);
        return failed is null ? response : ExecuteResponse.Failure(failed, lease.Slot.WorkerId, lease.Worker.Pid);
    }

    /// <summary>Moves chunks from the caller to the worker against credit; the error that ended the upload, or null (whole, or the call ended first).</summary>
    private static async Task<ExecuteError?> PumpUploadAsync(BridgeConnection connection, long id, UploadWindow upload, IChunkSource source,
        long? declaredLength, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, upload.Ended);
        stop.CancelAfter(deadline);
        long total = 0;
        for (var index = 0; ; index++)
        {
            UploadChunk chunk;
            try
            {
                await upload.WaitAsync(stop.Token);
                chunk = await source.ReadAsync(index).WaitAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return upload.Ended.IsCancellationRequested ? null // the call has its answer: it says how it went
                    : cancellationToken.IsCancellationRequested ? new ExecuteError(DSPexErrorKind.Cancelled, $"the upload was cancelled by the caller at chunk {index}", "UploadCancelled")
                    : new ExecuteError(DSPexErrorKind.DeadlineExceeded,
                        $"the upload did not end within its deadline of {deadline.TotalMilliseconds:0} ms: chunk {index} never came ({total} bytes had)", "UploadNeverEnded");
            }
            catch (Exception e)
            {
                return new ExecuteError(DSPexErrorKind.InvalidArguments,
                    $"the upload ended early: the caller's data failed at chunk {index} after {total} bytes ({e.GetType().Name}: {ShownText.Of(e.Message)})", "UploadEndedEarly");
            }

            if (chunk is null || chunk.End)
            {
                return declaredLength is { } declared && total != declared
                    ? new ExecuteError(DSPexErrorKind.InvalidArguments,
                        $"the upload ended early: chunk {index} is its end after {total} bytes, but it declared {declared}", "UploadLengthMismatch")
                    : null;
            }

            total += chunk.Data.Length;
            if (declaredLength is { } limit && total > limit)
            {
                return new ExecuteError(DSPexErrorKind.InvalidArguments,
                    $"chunk {index} takes the upload to {total} bytes, past the {limit} it declared", "UploadLengthMismatch");
            }

            try
            {
                if (!connection.SendChunk(id, chunk.Data))
                {
                    return null; // the worker's pipe broke: the call's reply says so
                }
            }
            catch (FrameOverLimitException e)
            {
                return new ExecuteError(DSPexErrorKind.FrameTooLarge, $"chunk {index} of the upload ({chunk.Data.Length} bytes) does not fit in a frame: {e.Message}", "ChunkTooLarge");
            }
        }
    }
}
