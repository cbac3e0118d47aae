using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The grains boundary for call failures: the worker core's <see cref="CallError"/> (no Orleans types) becomes the
/// contract's serialized <see cref="ExecuteError"/> here, at the pool, and nowhere else. Each kind maps to the
/// DSPexErrorKind of the same name (a unit test checks every one), so the caller sees what the core said.
/// </summary>
internal static class CallErrorMapping
{
    /// <summary>The contract's error for a core failure: same kind, message, Python type and traceback.</summary>
    public static ExecuteError ToExecuteError(this CallError error) =>
        new(error.Kind.ToContract(), error.Message, error.PythonType, error.Traceback);

    /// <summary>The contract's kind for a core kind. A switch, not a cast or a name lookup: a kind added to the core
    /// without its contract twin fails here (the compiler warns of the unhandled value, warnings are errors).</summary>
    public static DSPexErrorKind ToContract(this CallErrorKind kind) => kind switch
    {
        CallErrorKind.UnknownCommand => DSPexErrorKind.UnknownCommand,
        CallErrorKind.PythonException => DSPexErrorKind.PythonException,
        CallErrorKind.InvalidArguments => DSPexErrorKind.InvalidArguments,
        CallErrorKind.ResultNotSerializable => DSPexErrorKind.ResultNotSerializable,
        CallErrorKind.FrameTooLarge => DSPexErrorKind.FrameTooLarge,
        CallErrorKind.MalformedFrame => DSPexErrorKind.MalformedFrame,
        CallErrorKind.WorkerCrashed => DSPexErrorKind.WorkerCrashed,
        CallErrorKind.DeadlineExceeded => DSPexErrorKind.DeadlineExceeded,
        CallErrorKind.Cancelled => DSPexErrorKind.Cancelled,
        CallErrorKind.Internal => DSPexErrorKind.Internal,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a call error kind with no contract kind"),
    };
}
