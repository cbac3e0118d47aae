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
    Unauthenticated,
    Forbidden,
}
