namespace DSPex.Orleans.Contracts;

/// <summary>Every way a request can fail. The client library maps each kind to a typed exception.</summary>
public enum DSPexErrorKind
{
    None = 0,
    UnknownCommand,
    PythonException,
    InvalidArguments,
    ResultNotSerializable,
    FrameTooLarge,
    MalformedFrame,
    WorkerCrashed,
    WorkerStartFailed,
    DeadlineExceeded,
    Cancelled,
    PoolSaturated,
    QueueTimeout,
    NoWorkers,
    SiloUnavailable,
    WorkerBusy,
    SessionWorkerUnavailable,
    SessionNotFound,
    ProgramNotFound,
    Internal,

    /// <summary>A session would exceed a configured limit (its size, variables, programs, TTL or metadata); nothing was changed.</summary>
    SessionLimitExceeded,

    /// <summary>The caller presented no valid credential; nothing ran.</summary>
    Unauthenticated,

    /// <summary>The caller's credential does not grant the scope the call needs; nothing ran.</summary>
    Forbidden,
}
