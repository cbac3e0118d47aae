using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>
/// The tools of one request on its worker: which client's tools it may reach, for which caller, and the token that
/// ends its tool calls when the request ends, is cancelled or passes its deadline (<see cref="End"/>).
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification =
    "No single point ends a session: End() comes from the worker's reader thread while tool calls may still be reading " +
    "the token. The source has no timer and no wait handle is ever taken, so once cancelled and its registrations gone " +
    "there is nothing to free; the bridge connection, which alone knows when the last tool call ended, is where a " +
    "Dispose would go (workers/Bridge).")]
internal sealed class ToolSession(ToolBroker broker, ClientTools? client, string? caller, string command, ActivityContext parent) : IBridgeTools
{
    private readonly CancellationTokenSource _over = new();
    private volatile string? _endKind;

    public int MaxToolCalls => broker.Options.MaxToolCallsPerWorker;

    /// <summary>Ends the request's tool calls: their tokens fire and they answer with <paramref name="kind"/>.</summary>
    public void End(string kind)
    {
        _endKind ??= kind;
        if (!_over.IsCancellationRequested)
        {
            // Often called on a worker's reader thread (the reply arrived): the tools' cancellation callbacks and the
            // continuations they release run on the thread pool, never on that thread.
            _ = _over.CancelAsync();
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
