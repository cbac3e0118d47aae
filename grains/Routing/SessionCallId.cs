namespace DSPex.Orleans.Routing;

/// <summary>
/// The client's call id of a program call, carried to the session grain in the RequestContext by the gateway's router.
/// Not a parameter of <c>ISessionGrain.ExecuteProgramAsync</c>: a new parameter would change the method's wire
/// identity, and a router of the previous release must still reach a session grain of this one during a rolling
/// upgrade (and back). A session grain that finds none runs the call without a record (as the previous release did).
/// </summary>
internal static class SessionCallId
{
    public const string Key = "dspex-call-id";

    /// <summary>Sets the id for the grain calls this async flow makes next.</summary>
    public static void Set(Guid callId)
    {
        if (callId != Guid.Empty)
        {
            RequestContext.Set(Key, callId);
        }
    }

    /// <summary>The id the current call carries; empty when it carries none.</summary>
    public static Guid Current() => RequestContext.Get(Key) is Guid id ? id : Guid.Empty;
}
