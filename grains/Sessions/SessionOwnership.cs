using Microsoft.Extensions.DependencyInjection;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Security;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// A session belongs to the credential that created it. Run as the session grain's own call filter: a call by
/// another credential finds no session (GetAsync null, TouchAsync and the deletes false, variables "{}", the
/// rest a SessionNotFound refusal), and a session a credential has just created is recorded as its own.
/// A keyed caller gets the same answer for any namespaced session outside its own namespace (<see cref="SessionKeys"/>),
/// existing or not, so it can neither create one there nor learn whether one exists. A bare id called with a key
/// (a client of the previous release) keeps the owner rule alone.
/// Calls without a principal (inside the cluster, or a silo without the trust boundary) are not checked.
/// </summary>
internal static class SessionOwnership
{
    public static async Task InvokeAsync(IIncomingGrainCallContext context, IPersistentState<SessionState> state, bool live, string sessionId)
    {
        var caller = RequestContext.Get(CallCredentials.Principal) as string;
        if (caller is not null && (OutsideNamespace(context, caller, sessionId) || (live && state.State.Owner is { } owner && owner != caller)))
        {
            context.Result = context.MethodName switch
            {
                nameof(ISessionGrain.GetAsync) => null,
                nameof(ISessionGrain.GetVariablesAsync) => "{}",
                nameof(ISessionGrain.TouchAsync) or nameof(ISessionGrain.DeleteProgramAsync) or nameof(ISessionGrain.DeleteVariableAsync) => false,
                nameof(ISessionGrain.DeleteAsync) => null,
                _ => throw new DSPexRequestException(DSPexErrorKind.SessionNotFound, $"session '{ShownText.Of(SessionKeys.IdOf(sessionId))}' not found"),
            };
            return;
        }

        await context.Invoke();
        if (caller is not null && state.State.Exists && state.State.Owner is null)
        {
            state.State.Owner = caller;
            await state.WriteStateAsync();
        }
    }

    /// <summary>A namespaced session id of another credential's namespace, called by a keyed caller.</summary>
    private static bool OutsideNamespace(IIncomingGrainCallContext context, string caller, string sessionId) =>
        SessionKeys.TryParse(sessionId, out var ns, out _)
        && context.TargetContext.ActivationServices.GetService<ApiKeyAuthenticator>()?.SessionNamespaceOf(caller) is { } own
        && ns != own;
}
