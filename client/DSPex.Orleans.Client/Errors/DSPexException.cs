using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>A request failed. <see cref="Kind"/> says how; each kind has its own subclass to catch.</summary>
public class DSPexException : Exception
{
    /// <summary>A failure of the given kind with a message.</summary>
    public DSPexException(DSPexErrorKind kind, string message, string? workerId = null)
        : base(message)
    {
        Kind = kind;
        WorkerId = workerId;
    }

    /// <summary>A failure of the given kind with the exception that caused it (kept, so its type and stack stay readable).</summary>
    public DSPexException(DSPexErrorKind kind, string message, string? workerId, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
        WorkerId = workerId;
    }

    /// <summary>The kind of failure, as the cluster reported it.</summary>
    public DSPexErrorKind Kind { get; }

    /// <summary>The worker that ran (or was running) the request, when there was one.</summary>
    public string? WorkerId { get; }

    /// <summary>The typed exception for a call the cluster refused before it ran.</summary>
    internal static DSPexException From(DSPexRequestException refusal) =>
        refusal.Kind == DSPexErrorKind.Forbidden ? new ForbiddenException(refusal.Message, refusal.Scope) : From(refusal.ToError(), null);

    /// <summary>Builds the exception type that matches the error's kind.</summary>
    public static DSPexException From(ExecuteError error, string? workerId) => error.Kind switch
    {
        DSPexErrorKind.PythonException => new PythonException(error.Message, error.PythonType ?? "Exception", error.Traceback, workerId),
        DSPexErrorKind.UnknownCommand => new UnknownCommandException(error.Message, workerId),
        DSPexErrorKind.InvalidArguments => new InvalidArgumentsException(error.Message),
        DSPexErrorKind.ResultNotSerializable => new ResultNotSerializableException(error.Message, workerId),
        DSPexErrorKind.FrameTooLarge => new FrameTooLargeException(error.Message, workerId),
        DSPexErrorKind.MalformedFrame => new MalformedFrameException(error.Message, workerId),
        DSPexErrorKind.WorkerCrashed => new WorkerCrashedException(error.Message, workerId),
        DSPexErrorKind.WorkerStartFailed => new WorkerStartFailedException(error.Message, workerId),
        DSPexErrorKind.DeadlineExceeded => new DeadlineExceededException(error.Message, workerId),
        DSPexErrorKind.Cancelled => new RequestCancelledException(error.Message, workerId),
        DSPexErrorKind.PoolSaturated => new PoolSaturatedException(error.Message),
        DSPexErrorKind.QueueTimeout => new QueueTimeoutException(error.Message),
        DSPexErrorKind.NoWorkers => new NoWorkersException(error.Message),
        DSPexErrorKind.SiloUnavailable => new SiloLostException(error.Message, error.Outcome),
        DSPexErrorKind.StorageUnavailable => new StorageUnavailableException(error.Message),
        DSPexErrorKind.WorkerBusy => new WorkerBusyException(error.Message, workerId),
        DSPexErrorKind.SessionWorkerUnavailable => new SessionWorkerUnavailableException(error.Message),
        DSPexErrorKind.ProgramNotFound => new ProgramNotFoundException(error.Message),
        DSPexErrorKind.SessionLimitExceeded => new SessionLimitExceededException(error.Message),
        DSPexErrorKind.SessionNotFound => new SessionNotFoundException(error.Message),
        DSPexErrorKind.Unauthenticated => new UnauthenticatedException(error.Message),
        DSPexErrorKind.Forbidden => new ForbiddenException(error.Message, null),
        DSPexErrorKind.Internal => new InternalErrorException(error.Message),
        _ => new DSPexException(error.Kind, error.Message, workerId),
    };
}
