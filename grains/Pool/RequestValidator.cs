using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>
/// The pool's entry check: a request that cannot be written to a worker (no command, args that are not JSON,
/// over the frame limit or too deep, an unusable deadline, a client-tool list past its bounds) is refused before it takes a worker's capacity.
/// </summary>
internal sealed class RequestValidator(DSPexPoolOptions options)
{
    /// <summary>The longest deadline the pool grants (validated at start to lie within Orleans' response timeout).</summary>
    public TimeSpan MaxTimeout { get; } = options.MaxRequestTimeout;

    public ExecuteError? Check(ExecuteRequest? request)
    {
        if (request is null)
        {
            return new ExecuteError(DSPexErrorKind.InvalidArguments, "request is null");
        }

        return RequestChecks.Command(request.Command)
            ?? RequestChecks.Timeout(request.Timeout, MaxTimeout)
            ?? RequestChecks.Json(request.ArgsJson, options.MaxFrameBytes)
            ?? RequestChecks.Parts(request.ArgParts, options.MaxFrameBytes)
            ?? RequestChecks.Tools(request.Tools);
    }

    /// <summary>The deadline of a checked request.</summary>
    public TimeSpan DeadlineOf(ExecuteRequest request) => request.Timeout ?? options.RequestTimeout;
}
