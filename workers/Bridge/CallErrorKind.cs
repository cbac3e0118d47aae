namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The ways a call to a worker fails in the worker core. Each is named as the contract's DSPexErrorKind it maps to at
/// the grains boundary (checked by a unit test), so a caller sees the kind the core gave.
/// </summary>
internal enum CallErrorKind
{
    /// <summary>No adapter on the worker registers the command.</summary>
    UnknownCommand,

    /// <summary>The command raised.</summary>
    PythonException,

    /// <summary>The call's input cannot be carried (not JSON, too deep, not Unicode, ...) or the bridge said so.</summary>
    InvalidArguments,

    /// <summary>The command's result cannot be carried as JSON within the protocol limits.</summary>
    ResultNotSerializable,

    /// <summary>The call or its result is larger than a frame may be.</summary>
    FrameTooLarge,

    /// <summary>The worker wrote a frame that is not the protocol.</summary>
    MalformedFrame,

    /// <summary>The worker process exited or its pipes closed.</summary>
    WorkerCrashed,

    /// <summary>The call's deadline passed before its reply.</summary>
    DeadlineExceeded,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled,

    /// <summary>An unexpected failure (the bridge's own, or encoding the call).</summary>
    Internal,
}
