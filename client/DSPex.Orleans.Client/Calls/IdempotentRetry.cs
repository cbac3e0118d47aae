namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// Runs a call once more when its silo was lost, if the caller said the call may run twice. A call the caller
/// cancelled is not retried, and a second loss reaches the caller.
/// </summary>
internal static class IdempotentRetry
{
    public static async Task<T> RunAsync<T>(Func<ValueTask<T>> attempt, ExecuteOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await attempt().ConfigureAwait(false);
        }
        catch (Errors.SiloUnavailableException) when (options is { Idempotent: true } && !cancellationToken.IsCancellationRequested)
        {
            return await attempt().ConfigureAwait(false);
        }
    }
}
