using DSPex.Orleans.Contracts;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Calls;

/// <summary>
/// The last line at the public grains: whatever escapes below becomes a typed answer. The caller gets a short
/// message with an error id; the silo log gets the exception with its stack under the same id. A caller never
/// sees a server stack trace.
/// </summary>
internal static partial class GrainBoundary
{
    public static async ValueTask<ExecuteResponse> Guard(Func<ValueTask<ExecuteResponse>> call, ILogger logger, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e)
        {
            return ExecuteResponse.Failure(ToError(e, logger, operation, cancellationToken));
        }
    }

    /// <summary>A stream whose failure becomes its last item.</summary>
    public static async IAsyncEnumerable<StreamItem> Guard(Func<IAsyncEnumerable<StreamItem>> stream, ILogger logger, string operation)
    {
        IAsyncEnumerator<StreamItem>? items = null;
        try
        {
            ExecuteError? failure;
            try
            {
                items = stream().GetAsyncEnumerator();
                failure = null;
            }
            catch (Exception e)
            {
                failure = ToError(e, logger, operation, default);
            }

            while (failure is null)
            {
                var (more, error) = await MoveNextAsync(items!, logger, operation);
                if (error is not null)
                {
                    failure = error;
                    break;
                }

                if (!more)
                {
                    yield break;
                }

                yield return items!.Current;
            }

            yield return new StreamItem(null, failure);
        }
        finally
        {
            if (items is not null)
            {
                await items.DisposeAsync();
            }
        }
    }

    private static async ValueTask<(bool More, ExecuteError? Error)> MoveNextAsync(IAsyncEnumerator<StreamItem> items, ILogger logger, string operation)
    {
        try
        {
            return (await items.MoveNextAsync(), null);
        }
        catch (Exception e)
        {
            return (false, ToError(e, logger, operation, default));
        }
    }

    private static ExecuteError ToError(Exception e, ILogger logger, string operation, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return new ExecuteError(DSPexErrorKind.Cancelled, $"{operation} was cancelled by the caller");
        }

        // A refusal a grain below already typed (a session's limit, another credential's session): passed on as is.
        switch (e)
        {
            case DSPexRequestException request:
                return request.ToError();
        }

        if (SessionStoreFailures.IsRedisFailure(e))
        {
            StoreUnavailable(logger, e, operation);
            return new ExecuteError(DSPexErrorKind.StorageUnavailable, $"{operation}: the session store (Redis) is unavailable ({e.GetType().Name}); nothing was changed");
        }

        // A grain this call needed was on a silo that is gone or going: the caller learns whether the call may have run.
        if (SiloLoss.Classify(e) is { } outcome)
        {
            var exceptionType = e.GetType().Name;
            SiloLost(logger, operation, outcome, exceptionType);
            return ExecuteError.SiloLost(
                $"{operation}: a silo it needed was lost ({(outcome == CallOutcome.NotRun ? "it did not run" : "it may have run")}; {exceptionType})", outcome);
        }

        if (e is ArgumentException argument)
        {
            // Raised by a check below the boundary: the caller's input, named by the exception's parameter.
            ArgumentRefused(logger, operation, argument.Message);
            return new ExecuteError(DSPexErrorKind.InvalidArguments, $"{operation}: {argument.Message}");
        }

        var id = Guid.NewGuid().ToString("N")[..12];
        FailedUnexpectedly(logger, e, operation, id);
        return new ExecuteError(DSPexErrorKind.Internal, $"{operation} failed inside the silo ({e.GetType().Name}, error {id}); the silo log has the details");
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "{Operation} refused an argument: {Message}")]
    private static partial void ArgumentRefused(ILogger logger, string operation, string message);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "{Operation} could not reach the session store (Redis)")]
    private static partial void StoreUnavailable(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "{Operation} lost a silo it needed (outcome {Outcome}, {ExceptionType})")]
    private static partial void SiloLost(ILogger logger, string operation, CallOutcome outcome, string exceptionType);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Error, Message = "{Operation} failed unexpectedly (error {ErrorId})")]
    private static partial void FailedUnexpectedly(ILogger logger, Exception exception, string operation, string errorId);
}
