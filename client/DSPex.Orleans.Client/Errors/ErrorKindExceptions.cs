using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

// One type per error kind, so callers catch exactly what they can handle.

/// <summary>No worker has a command of that name.</summary>
public sealed class UnknownCommandException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.UnknownCommand, message, workerId);

/// <summary>An argument of the call is unusable (named in the message: null, empty, not JSON, too deep, out of range); nothing was run.</summary>
public sealed class InvalidArgumentsException : DSPexException
{
    /// <summary>An unusable argument, named in the message.</summary>
    public InvalidArgumentsException(string message)
        : base(DSPexErrorKind.InvalidArguments, message)
    {
    }

    /// <summary>An argument the runtime or a grain rejected, with the exception that said so.</summary>
    public InvalidArgumentsException(string message, Exception? innerException)
        : base(DSPexErrorKind.InvalidArguments, message, null, innerException)
    {
    }
}

/// <summary>The command returned a value JSON cannot carry (an object, NaN, ...).</summary>
public sealed class ResultNotSerializableException : DSPexException
{
    /// <summary>A result JSON cannot carry, with the worker that produced it when there was one.</summary>
    public ResultNotSerializableException(string message, string? workerId)
        : base(DSPexErrorKind.ResultNotSerializable, message, workerId)
    {
    }

    /// <summary>A result this side could not read as the type asked for, with the exception that said why.</summary>
    public ResultNotSerializableException(string message, string? workerId, Exception? innerException)
        : base(DSPexErrorKind.ResultNotSerializable, message, workerId, innerException)
    {
    }
}

/// <summary>A request or result frame is over the configured size limit.</summary>
public sealed class FrameTooLargeException : DSPexException
{
    /// <summary>A frame over the limit, with the worker that reported it when there was one.</summary>
    public FrameTooLargeException(string message, string? workerId)
        : base(DSPexErrorKind.FrameTooLarge, message, workerId)
    {
    }

    /// <summary>A message over a size limit, with the exception that reported it (Orleans' own limit, say).</summary>
    public FrameTooLargeException(string message, string? workerId, Exception? innerException)
        : base(DSPexErrorKind.FrameTooLarge, message, workerId, innerException)
    {
    }
}

/// <summary>The worker's byte stream could not be decoded; the worker was replaced.</summary>
public sealed class MalformedFrameException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.MalformedFrame, message, workerId);

/// <summary>The Python process died while running the request; the pool replaces it.</summary>
public sealed class WorkerCrashedException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.WorkerCrashed, message, workerId);

/// <summary>A Python worker could not be started.</summary>
public sealed class WorkerStartFailedException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.WorkerStartFailed, message, workerId);

/// <summary>The request did not finish within its deadline.</summary>
public sealed class DeadlineExceededException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.DeadlineExceeded, message, workerId);

/// <summary>The caller cancelled the request.</summary>
public sealed class RequestCancelledException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.Cancelled, message, workerId);

/// <summary>Every pool's queue is full.</summary>
public sealed class PoolSaturatedException(string message) : DSPexException(DSPexErrorKind.PoolSaturated, message);

/// <summary>No worker became free within the queue timeout.</summary>
public sealed class QueueTimeoutException(string message) : DSPexException(DSPexErrorKind.QueueTimeout, message);

/// <summary>The pool has no live worker.</summary>
public sealed class NoWorkersException(string message) : DSPexException(DSPexErrorKind.NoWorkers, message);


/// <summary>strict-fail-fast: the session's worker is busy with another request.</summary>
public sealed class WorkerBusyException(string message, string? workerId)
    : DSPexException(DSPexErrorKind.WorkerBusy, message, workerId);

/// <summary>strict-fail-fast: the session's worker (or its silo) is gone; the next call runs on another worker.</summary>
public sealed class SessionWorkerUnavailableException(string message) : DSPexException(DSPexErrorKind.SessionWorkerUnavailable, message);

/// <summary>The session has no program of that id.</summary>
public sealed class ProgramNotFoundException(string message) : DSPexException(DSPexErrorKind.ProgramNotFound, message);
