using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Security;

namespace DSPex.Orleans.Client.Hosting;

/// <summary>
/// Sends the client's API key with every call, and turns the cluster's refusals into the library's typed
/// exceptions (<see cref="UnauthenticatedException"/>, <see cref="ForbiddenException"/>, <see cref="SessionNotFoundException"/>).
/// </summary>
internal sealed class ApiKeyCallFilter(string? apiKey) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (!string.IsNullOrEmpty(apiKey))
        {
            RequestContext.Set(CallCredentials.ApiKey, apiKey);
        }

        try
        {
            await context.Invoke().ConfigureAwait(false);
        }
        catch (DSPexRequestException refused)
        {
            throw DSPexException.From(refused);
        }
    }
}
