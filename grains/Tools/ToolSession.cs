using System.Diagnostics;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>
/// The tools of one request on its worker: which client's tools it may reach, for which caller, and the token that
/// ends its tool calls when the request ends, is cancelled or passes its deadline (<see cref="End"/>).
/// <para>
/// The token's source is shared by the request and each tool call running, and disposed when the last of them lets go:
/// the request lets go at <see cref="End"/> (once its cancellation callbacks have run), a tool call when it returns. A
/// tool call that arrives after that is answered as ended without touching the source, so none meets a disposed one.
/// </para>
/// </summary>
internal sealed class ToolSession(ToolBroker broker, ClientTools? client, string? caller, string command, ActivityContext parent) : IBridgeTools, IDisposable
{
    private readonly CancellationTokenSource _over = new();
    private volatile string? _endKind;
    private int _ended; // 1 once End has let go of the request's hold
    private int _holders = 1; // the request, plus each tool call running; the source is disposed when it drops to 0

    public int MaxToolCalls => broker.Options.MaxToolCallsPerWorker;

    /// <summary>Ends the request's tool calls: their tokens fire and they answer with <paramref name="kind"/>.</summary>
    public void End(string kind)
    {
        _endKind ??= kind;
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        // Often called on a worker's reader thread (the reply arrived): the tools' cancellation callbacks and the
        // continuations they release run on the thread pool, never on that thread. The request lets go of the source
        // once they have run (Dispose must not race them).
        var cancelled = _over.CancelAsync();
        if (cancelled.IsCompleted)
        {
            LetGo();
        }
        else
        {
            cancelled.ContinueWith(static (_, session) => ((ToolSession)session!).LetGo(), this,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Ends the session as <see cref="End"/> does (Cancelled, unless it ended already); the source is freed once no tool call runs.</summary>
    public void Dispose() => End(ToolErrorKinds.Cancelled);

    /// <summary>Whether the token's source has been disposed: the request ended and no tool call runs.</summary>
    internal bool IsFreed => Volatile.Read(ref _holders) == 0;

    /// <summary>Holds the source for a tool call; false once the request let go and no tool call held it (it is disposed).</summary>
    private bool TryHold()
    {
        var holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return true;
            }

            holders = seen;
        }

        return false;
    }

    private void LetGo()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _over.Dispose();
        }
    }

    /// <summary>The list_tools answer's JSON.</summary>
    public string ListJson() => ToolBroker.ListJson(broker.Visible(client, caller));

    /// <summary>Runs one tool call for the worker's connection: the contract's outcome as the core's answer; never throws.</summary>
    public async Task<ToolAnswer> CallAsync(string name, string argsJson, ReadOnlyMemory<byte>[]? argParts) =>
        (await RunAsync(name, argsJson, argParts).ConfigureAwait(false)).ToAnswer();

    /// <summary>Runs one tool call with a span under the request's and a metric by tool and outcome; never throws.</summary>
    private async Task<ToolOutcome> RunAsync(string name, string argsJson, ReadOnlyMemory<byte>[]? argParts)
    {
        using var activity = DSPexActivities.Source.StartActivity("dspex.tool", ActivityKind.Internal, parent);
        activity?.SetTag("dspex.tool", ShownText.Of(name));
        activity?.SetTag("dspex.command", command);
        var startedAt = Stopwatch.GetTimestamp();
        ToolOutcome outcome;
        if (_endKind is { } ended)
        {
            outcome = Ended(name, ended);
        }
        else if (!TryHold())
        {
            outcome = Ended(name, _endKind ?? ToolErrorKinds.Cancelled); // End set the kind before it let go
        }
        else
        {
            try
            {
                outcome = await broker.InvokeAsync(client, caller, name, argsJson, argParts, _over.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                outcome = ToolOutcome.Fail(ToolErrorKinds.ToolFailed, e.GetType().Name, e.Message);
            }
            finally
            {
                LetGo();
            }

            if (outcome.Error?.Kind == ToolErrorKinds.Cancelled && _endKind is { } why && why != ToolErrorKinds.Cancelled)
            {
                outcome = Ended(name, why); // the deadline, not the caller, ended it
            }
        }

        var result = outcome.Error?.Kind ?? "ok";
        activity?.SetTag("dspex.outcome", result);
        if (outcome.Error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Error.Kind);
        }

        broker.Record(name, client, result, Stopwatch.GetElapsedTime(startedAt));
        return outcome;
    }

    private static ToolOutcome Ended(string name, string kind) => Ended(kind, ShownText.Of(name), kind == ToolErrorKinds.DeadlineExceeded);

    private static ToolOutcome Ended(string kind, string name, bool deadline) => ToolOutcome.Fail(kind, deadline ? "TimeoutException" : "OperationCanceledException",
        deadline ? $"tool '{name}' was stopped: the request passed its deadline" : $"tool '{name}' was stopped: the request ended or was cancelled");
}
