using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Pool;

/// <summary>Streams: generator commands whose items come back as the caller reads them.</summary>
internal sealed partial class LocalWorkerPool
{
    /// <summary>
    /// Runs a generator command and yields its items as they come. Python sends an item only against credit
    /// granted here as the caller reads (a bounded window), and a caller that stops reading cancels it. A stream
    /// ends with DeadlineExceeded past its deadline (the request's Timeout, or RequestTimeout) or when no item
    /// came for StreamIdleTimeout; either way its worker is freed.
    /// </summary>
    public IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request, CancellationToken cancellationToken) =>
        StreamAsync(request, null, cancellationToken);

    /// <summary>A stream that prefers the session's worker (<paramref name="affinity"/>) as a session call does.</summary>
    public async IAsyncEnumerable<StreamItem> StreamAsync(ExecuteRequest request, WorkerAffinity? affinity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_validator.Check(request) is { } invalid)
        {
            yield return new StreamItem(null, invalid);
            yield break;
        }

        if (StartFailed() is { } startFailed)
        {
            yield return new StreamItem(null, startFailed);
            yield break;
        }

        request = WithToolCaller(request);
        var acquired = await AcquireAsync(null, affinity, cancellationToken);
        if (!acquired.IsGranted)
        {
            yield return new StreamItem(null, acquired.Failure.Error);
            yield break;
        }

        var lease = acquired.Grant.Lease;

        var window = _options.StreamWindow;
        var items = Channel.CreateBounded<ItemFrame>(new BoundedChannelOptions(window) { SingleReader = true, SingleWriter = true });
        var call = SendStream(lease, request, window, items.Writer);
        if (!call.Sent)
        {
            yield return new StreamItem(null, call.Finished.Result.Error?.ToExecuteError());
            yield break;
        }

        using var limits = new StreamLimits(_validator.DeadlineOf(request), _options.StreamIdleTimeout, () => Abandon(lease, call),
            cancellationToken);
        var finished = false;
        try
        {
            ExecuteError? end = null;
            var sinceCredit = 0;
            while (true)
            {
                limits.StartWaiting();
                var more = await WaitForItemAsync(items.Reader, limits.Token);
                limits.StopWaiting();
                if (more is not true)
                {
                    if (more is false && !limits.Ended)
                    {
                        end = (await call.Finished).Error?.ToExecuteError();
                        finished = true;
                    }

                    break;
                }

                while (items.Reader.TryRead(out var item))
                {
                    yield return new StreamItem(item.ItemJson, null) { ItemParts = item.Parts };
                    if (++sinceCredit >= (window + 1) / 2)
                    {
                        lease.Worker.Connection.GrantCredit(call.Id, sinceCredit);
                        sinceCredit = 0;
                    }
                }
            }

            if (!finished)
            {
                limits.Abandon();
                cancellationToken.ThrowIfCancellationRequested();
                end = limits.Reason(request.Command, lease.Slot.WorkerId);
            }

            if (end is not null)
            {
                yield return new StreamItem(null, end);
            }
        }
        finally
        {
            if (!finished)
            {
                // The caller stopped reading (break, dispose) or a limit ended the stream.
                limits.Abandon();
            }
        }
    }

    /// <summary>True when an item is ready, false when the stream completed, null when a limit or the caller ended the wait.</summary>
    private static async ValueTask<bool?> WaitForItemAsync(ChannelReader<ItemFrame> reader, CancellationToken token)
    {
        try
        {
            return await reader.WaitToReadAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return null;
        }
    }
}
