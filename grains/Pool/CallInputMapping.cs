using DSPex.Orleans.Contracts;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The grains boundary for what a call carries to a worker: the contract's session context and program call, and the
/// trace context the grains took from the caller, become the worker core's own records here, at the pool, where the
/// call is handed to the worker's connection (the core has no Orleans or contract types). Field for field; the bridge
/// writer checks their text as it writes it, as before.
/// </summary>
internal static class CallInputMapping
{
    /// <summary>The core's session context: the session id and its variables' JSON.</summary>
    public static CallSession? ToCall(this SessionCallContext? session) =>
        session is null ? null : new CallSession(session.SessionId, session.VariablesJson);

    /// <summary>The core's program call: its id, revision and spec's JSON.</summary>
    public static CallProgram? ToCall(this ProgramCall? program) =>
        program is null ? null : new CallProgram(program.ProgramId, program.Revision, program.SpecJson);

    /// <summary>The core's trace context: the traceparent and tracestate, already checked by <see cref="TraceContext.From"/>.</summary>
    public static CallTrace? ToCall(this TraceContext? trace) =>
        trace is { } context ? new CallTrace(context.TraceParent, context.TraceState) : null;
}
