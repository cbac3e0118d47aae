using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace DSPex.Orleans.Pool;

/// <summary>Running requests and streams on a worker, with their deadlines and cancellation.</summary>
public sealed partial class LocalWorkerPool
{
    public ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync(request, null, cancellationToken);

    /// <summary>
    /// Runs a request on a worker with free capacity, queueing when there is none. With an affinity, the
    /// session's worker is preferred as its mode says; a worker whose process changed (pid) no longer holds the
    /// session's programs and counts as gone.
    /// </summary>
    public async ValueTask<ExecuteResponse> ExecuteAsync(ExecuteRequest request, WorkerAffinity? affinity, CancellationToken cancellationToken)
    {
        var (grant, failure) = await AcquireAsync(request, affinity, cancellationToken);
        if (grant is not { } granted)
        {
            return failure!;
        }

        var response = await RunAsync(granted, request, cancellationToken);
        if (request.Idempotent && response.Error?.Kind == DSPexErrorKind.WorkerCrashed && !cancellationToken.IsCancellationRequested)
        {
            // Its worker died under it; a request marked idempotent is safe to run once more elsewhere.
            Interlocked.Increment(ref _retries);
            _logger.LogInformation("Retrying idempotent '{Command}' after its worker {WorkerId} crashed", request.Command, response.WorkerId);
            return await ExecuteAsync(request with { Idempotent = false }, null, cancellationToken);
        }

        return response;
    }

    /// <summary>
    /// Runs a generator command and yields its items as they come. Python sends an item only against credit
    /// granted here as the caller reads (a bounded window), and a caller that stops reading cancels it.
    /// </summary>
    public async IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (acquired, failure) = await AcquireAsync(null, null, cancellationToken);
        if (acquired is not { Lease: var lease })
        {
            yield return new StreamItem(null, failure!.Error);
            yield break;
        }

        var window = Math.Max(1, _options.StreamWindow);
        var items = Channel.CreateBounded<string>(new BoundedChannelOptions(window) { SingleReader = true, SingleWriter = true });
        if (!lease.Process.TrySendStream(request.Command, request.ArgsJson, request.Session, request.Program, window, items.Writer,
                reply => Release(lease, reply), out var finished, out var id))
        {
            var unsent = finished.Result;
            Release(lease, unsent);
            yield return new StreamItem(null, unsent.Error);
            yield break;
        }

        var completed = false;
        try
        {
            var sinceCredit = 0;
            while (await items.Reader.WaitToReadAsync(cancellationToken))
            {
                while (items.Reader.TryRead(out var item))
                {
                    yield return new StreamItem(item, null);
                    if (++sinceCredit >= (window + 1) / 2)
                    {
                        lease.Process.GrantCredit(id, sinceCredit);
                        sinceCredit = 0;
                    }
                }
            }

            var reply = await finished;
            completed = true;
            if (reply.Error is { } error)
            {
                yield return new StreamItem(null, error);
            }
        }
        finally
        {
            if (!completed)
            {
                Abandon(lease, id, finished);
            }
        }
    }

    private async ValueTask<ExecuteResponse> RunAsync(CapacityGrant grant, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = grant.Lease;
        using var activity = DSPexActivities.Source.StartActivity("dspex.worker");
        activity?.SetTag("dspex.command", request.Command);
        activity?.SetTag("dspex.worker", slot.WorkerId);
        activity?.SetTag("dspex.pid", process.Pid);
        var call = grant.Sent ?? Send(grant.Lease, request);
        var response = await AwaitReplyAsync(grant.Lease, call, request, cancellationToken);
        activity?.SetTag("dspex.outcome", response.Error?.Kind.ToString() ?? "ok");
        Metrics?.RecordRequest(request.Command, response.Error?.Kind, System.Diagnostics.Stopwatch.GetElapsedTime(call.StartedAt));
        return response;
    }

    /// <summary>Writes a call to the lease's worker; its reply frees the lease on the reader thread (see <see cref="Release"/>).</summary>
    private SentCall Send(WorkerLease lease, ExecuteRequest request)
    {
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var sent = lease.Process.TrySend(request.Command, request.ArgsJson, request.Session, request.Program,
            reply => Release(lease, reply), out var finished, out var id);
        return new SentCall(finished, id, sent, startedAt);
    }

    private async ValueTask<ExecuteResponse> AwaitReplyAsync(WorkerLease lease, SentCall call, ExecuteRequest request, CancellationToken cancellationToken)
    {
        var (slot, process) = lease;
        var finished = call.Finished;
        if (!call.Sent)
        {
            // It never reached the worker, so no reply will come to free the lease.
            Release(lease, finished.Result);
        }
        else if (!finished.IsCompleted)
        {
            var deadline = request.Timeout ?? _options.RequestTimeout;
            try
            {
                await finished.WaitAsync(deadline, cancellationToken);
            }
            catch (TimeoutException)
            {
                Abandon(lease, call.Id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.DeadlineExceeded,
                    $"command '{request.Command}' did not finish within its deadline of {deadline.TotalMilliseconds:0} ms", slot.WorkerId, process.Pid);
            }
            catch (OperationCanceledException)
            {
                Abandon(lease, call.Id, finished);
                return ExecuteResponse.Failure(DSPexErrorKind.Cancelled,
                    $"command '{request.Command}' was cancelled by the caller", slot.WorkerId, process.Pid);
            }
        }

        var reply = finished.Result;
        if (!reply.Delivered && !_stopping)
        {
            // The worker died before the request reached it (its exit not yet seen): run it on another worker.
            return await ExecuteAsync(request, null, cancellationToken);
        }

        return reply.Error is null
            ? ExecuteResponse.Success(reply.ResultJson!, slot.WorkerId, process.Pid, reply.SessionUpdatesJson)
            : ExecuteResponse.Failure(reply.Error, slot.WorkerId, process.Pid);
    }

    /// <summary>
    /// The caller has its answer, but Python may still be running the request: its capacity stays taken until
    /// Python stops (its reply frees it). Past the grace period the worker is killed (and replaced), so nothing
    /// stays busy forever.
    /// </summary>
    private void Abandon(WorkerLease lease, long id, Task<BridgeReply> finished)
    {
        lease.Process.Cancel(id);
        _ = KillUnlessStoppedAsync(lease, finished);
    }

    private async Task KillUnlessStoppedAsync(WorkerLease lease, Task<BridgeReply> finished)
    {
        try
        {
            await finished.WaitAsync(_options.CancelGracePeriod);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning(
                "Worker {WorkerId} (pid {Pid}) did not stop an abandoned request within {Grace} ms; killing it",
                lease.Slot.WorkerId, lease.Process.Pid, _options.CancelGracePeriod.TotalMilliseconds);
            lease.Process.Kill();
        }
    }
}
