namespace DSPex.Orleans.Contracts;

/// <summary>Every way a request can fail. The client library maps each kind to a typed exception.</summary>
[Alias("DSPex.Orleans.Contracts.DSPexErrorKind")]
public enum DSPexErrorKind
{
    /// <summary>No error: the request succeeded.</summary>
    None = 0,
    /// <summary>No adapter on the worker registers the command.</summary>
    UnknownCommand,
    /// <summary>The command raised; the message carries the Python type, message and traceback.</summary>
    PythonException,
    /// <summary>The request was malformed or out of bounds (arguments, names, deadline); nothing ran.</summary>
    InvalidArguments,
    /// <summary>The command returned a value that cannot be sent as JSON within the protocol limits; the worker is kept.</summary>
    ResultNotSerializable,
    /// <summary>The request or its result is larger than the maximum frame size.</summary>
    FrameTooLarge,
    /// <summary>The worker wrote a frame the silo could not read; the worker was replaced.</summary>
    MalformedFrame,
    /// <summary>The worker process exited or stopped answering while it ran the request; it was replaced.</summary>
    WorkerCrashed,
    /// <summary>A worker process could not be started (interpreter, bridge or adapter import failed).</summary>
    WorkerStartFailed,
    /// <summary>The request did not finish within its deadline; Python was told to cancel.</summary>
    DeadlineExceeded,
    /// <summary>The caller cancelled the request.</summary>
    Cancelled,
    /// <summary>The pool's queue was full (DSPex:Pool:MaxQueueLength); nothing ran.</summary>
    PoolSaturated,
    /// <summary>No worker became free within the queue timeout; nothing ran.</summary>
    QueueTimeout,
    /// <summary>The pool has no worker able to take requests (none started, or all stopping).</summary>
    NoWorkers,
    /// <summary>The silo that carried the call was lost or is shutting down.</summary>
    SiloUnavailable,
    /// <summary>A session call in strict affinity mode found its worker busy and was not queued.</summary>
    WorkerBusy,
    /// <summary>A session call in strict affinity mode found its worker gone.</summary>
    SessionWorkerUnavailable,
    /// <summary>The session does not exist (never created, deleted or expired).</summary>
    SessionNotFound,
    /// <summary>The session has no program with that id.</summary>
    ProgramNotFound,
    /// <summary>An unexpected failure inside the cluster; the silo logged it.</summary>
    Internal,

    /// <summary>A session would exceed a configured limit (its size, variables, programs, TTL or metadata); nothing was changed.</summary>
    SessionLimitExceeded,

    /// <summary>The caller presented no valid credential; nothing ran.</summary>
    Unauthenticated,

    /// <summary>The caller's credential does not grant the scope the call needs; nothing ran.</summary>
    Forbidden,

    /// <summary>
    /// The store that holds sessions (Redis in production) could not be reached or refused a write: the change was
    /// not kept, the session stays as it was stored; the message names the store.
    /// </summary>
    StorageUnavailable,
}
