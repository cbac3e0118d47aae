using System.Threading.Channels;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;
using WorkerLease = DSPex.Orleans.Workers.Scheduling.WorkerLease<DSPex.Orleans.Workers.Python.PythonProcess>;

namespace DSPex.Orleans.Pool;

/// <summary>Running requests and streams on a worker, with their deadlines and cancellation.</summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>Runs a request on a free worker of this silo, waiting in the queue when all are busy; failures come back as the response's error.</summary>
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync(request, null, cancellationToken);

    /// <summary>
    /// Runs a request on a worker with free capacity, queueing when there is none. With an affinity, the
    /// session's worker is preferred as its mode says; a worker whose process changed (pid) no longer holds the
    /// session's programs and counts as gone. A request that could not be written to a worker is refused here,
    /// before it takes one (InvalidArguments or FrameTooLarge, naming the input).
    /// </summary>
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken) =>
        _validator.Check(request) is { } invalid
            ? ValueTask.FromResult(ExecuteResponse.Failure(invalid))
            : RunCheckedAsync(WithToolCaller(request), affinity, cancellationToken);

    /// <summary>
    /// The request with the caller its tool calls run for: the principal the trust boundary put in this call's
    /// RequestContext (none for a call from inside the cluster). Whatever the caller wrote there is replaced.
    /// </summary>
    private ExecuteRequest WithToolCaller(ExecuteRequest request)
    {
        if (Tools is null)
        {
            return request;
        }

        var caller = RequestContext.Get(Security.CallCredentials.Principal) as string;
        return request.ToolCaller == caller ? request : request with { ToolCaller = caller };
    }

    /// <summary>The answer to a call while the pool could not start (its interpreter not found, or its last start failed), else null.</summary>
    private ExecuteError? StartFailed() =>
        _startFailure is { } startFailure ? new ExecuteError(DSPexErrorKind.WorkerStartFailed, $"pool {Name} on {Silo} could not start: {startFailure}") : null;

    /// <summary>The entry check of <see cref="ExecuteAsync(ExecuteRequest, WorkerAffinity?, CancellationToken)"/>, for grains that refuse before doing work of their own.</summary>
    internal ExecuteError? Check(ExecuteRequest? request) => _validator.Check(request);

    private async ValueTask<ExecuteResponse> RunCheckedAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        if (StartFailed() is { } startFailed)
        {
            // A pool whose interpreter could not be found has no worker to wait for.
            return ExecuteResponse.Failure(startFailed);
        }

        var acquired = await AcquireAsync(request, affinity, cancellationToken);
        if (!acquired.IsGranted)
        {
            return acquired.Failure;
        }

        var granted = acquired.Grant;

        var response = await RunAsync(granted, request, cancellationToken);
        if (request.Idempotent && response.Error?.Kind == DSPexErrorKind.WorkerCrashed && !cancellationToken.IsCancellationRequested)
        {
            // Its worker died under it; a request marked idempotent is safe to run once more elsewhere.
            _counters.Retried();
            Log.RetryingIdempotent(_logger, request.Command, response.WorkerId);
            return await RunCheckedAsync(request with { Idempotent = false }, null, cancellationToken);
        }

        return response;
    }

    private async ValueTask<ExecuteResponse> RunAsync(CapacityGrant grant, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = grant.Lease;
        using var activity = DSPexActivities.Source.StartActivity("dspex.worker");
        activity?.SetTag("dspex.command", request.Command);
        activity?.SetTag("dspex.worker", slot.WorkerId);
        activity?.SetTag("dspex.pid", process.Pid);
        var call = grant.Sent ?? Send(grant.Lease, request, TraceContext.Current());
        var response = await AwaitReplyAsync(grant.Lease, call, request, cancellationToken);
        activity?.SetTag("dspex.outcome", response.Error?.Kind.ToString() ?? "ok");
        Metrics?.RecordRequest(request.Command, request.Program, response.Error?.Kind, System.Diagnostics.Stopwatch.GetElapsedTime(call.StartedAt));
        return response;
    }

    /// <summary>
    /// Writes a call to the lease's worker. From here the call owns the lease (see <see cref="CallLease"/>): its
    /// reply frees it on the reader thread, and a call that could not be written frees it before this returns. It
    /// never throws, because it also runs on a worker's reader thread for a queued request (see <see cref="Deliver"/>).
    /// </summary>
    private SentCall Send(WorkerLease lease, ExecuteRequest request, TraceContext? trace) =>
        Write(lease, new BridgeCall(request.Command, request.ArgsJson, request.Session.ToCall(), request.Program.ToCall(), Trace: trace.ToCall(), Tools: Tools?.Open(request),
            Deadline: _validator.DeadlineOf(request), Parts: request.ArgParts));

    /// <summary>Writes a stream's call as <see cref="Send"/> writes a call; its items go to <paramref name="items"/>.</summary>
    private SentCall SendStream(WorkerLease lease, ExecuteRequest request, int window, ChannelWriter<ItemFrame> items) =>
        Write(lease, BridgeCall.Stream(request.Command, request.ArgsJson, request.Session.ToCall(), request.Program.ToCall(), window, items, TraceContext.Current().ToCall(), Tools?.Open(request))
            with { Parts = request.ArgParts });

    private SentCall Write(WorkerLease lease, in BridgeCall call)
    {
        var owner = new CallLease(this, lease);
        SentCall sent;
        try
        {
            sent = lease.Worker.Connection.Send(call, owner.Release);
        }
        catch (Exception e)
        {
            sent = SentCall.NotSent(WriteFailed(lease, call.Command, e));
            call.StreamItems?.TryComplete();
        }

        if (!sent.Sent)
        {
            // It never reached the worker, so no reply will come to free the lease.
            owner.Release(sent.Finished.Result);
        }

        return sent;
    }

    /// <summary>A write that threw: the caller gets a typed error, the silo log gets the exception with its stack.</summary>
    private BridgeReply WriteFailed(WorkerLease lease, string command, Exception e)
    {
        Log.WriteFailed(_logger, e, command, lease.Slot.WorkerId, lease.Worker.Pid);
        return BridgeReply.Fail(CallErrorKind.Internal,
            $"command '{command}' could not be written to worker {lease.Slot.WorkerId} ({e.GetType().Name}); the silo log has the details");
    }

    /// <summary>
    /// Waits for the call's reply, its deadline (swept by the worker's connection: see <see cref="PendingCall"/>) or
    /// the caller's cancellation, whichever comes first: no timer, promise or linked token per call, and one token
    /// registration only when the caller's token can cancel.
    /// </summary>
    private async ValueTask<ExecuteResponse> AwaitReplyAsync(WorkerLease lease, SentCall call, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = lease;
        var reply = call.Finished.IsCompleted || call.Pending is not { } pending
            ? call.Finished.Result
            : await WaitAsync(pending, cancellationToken);
        if (PendingCall.IsDeadlinePassed(reply))
        {
            Abandon(lease, call, DSPex.Orleans.Tools.ToolErrorKinds.DeadlineExceeded);
            return ExecuteResponse.Failure(DSPexErrorKind.DeadlineExceeded,
                $"command '{request.Command}' did not finish within its deadline of {_validator.DeadlineOf(request).TotalMilliseconds:0} ms", slot.WorkerId, process.Pid);
        }

        if (PendingCall.IsCallerCancelled(reply))
        {
            Abandon(lease, call);
            return ExecuteResponse.Failure(DSPexErrorKind.Cancelled,
                $"command '{request.Command}' was cancelled by the caller", slot.WorkerId, process.Pid);
        }

        if (!reply.Delivered && !_stopping)
        {
            // The worker died before the request reached it (its exit not yet seen): run it on another worker. That
            // worker no longer counts as live (WriteBroken), and the retry starts on a fresh stack frame.
            await Task.Yield();
            return await RunCheckedAsync(request, null, cancellationToken);
        }

        return reply.Error is null
            ? ExecuteResponse.Success(reply.ResultJson!, slot.WorkerId, process.Pid, reply.SessionUpdatesJson) with { ResultParts = reply.ResultParts }
            : ExecuteResponse.Failure(reply.Error.ToExecuteError(), slot.WorkerId, process.Pid);
    }

    private static async ValueTask<BridgeReply> WaitAsync(PendingCall pending, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await pending.Task;
        }

        // Runs at once when the token is already cancelled.
        var registration = cancellationToken.UnsafeRegister(static state => ((PendingCall)state!).TryAnswerEarly(PendingCall.CallerCancelled), pending);
        try
        {
            return await pending.Task;
        }
        finally
        {
            registration.Unregister();
        }
    }

    /// <summary>
    /// The caller has its answer, but Python may still be running the request: the bridge is told to cancel it, and its
    /// capacity stays taken until Python stops (its reply frees it). Past the grace period the slot's supervisor kills
    /// the worker (and so replaces it), so nothing stays busy forever.
    /// </summary>
    private void Abandon(WorkerLease lease, SentCall call, string toolKind = DSPex.Orleans.Tools.ToolErrorKinds.Cancelled)
    {
        lease.Worker.Connection.Cancel(call.Id, toolKind);
        var replied = call.Replied;
        if (!replied.IsCompleted)
        {
            _supervisors[lease.Slot.Index].KillUnlessAnswered(lease.Worker, replied);
        }
    }
}
