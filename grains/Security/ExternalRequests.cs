using DSPex.Orleans.Contracts;
using Orleans.Serialization.Invocation;

namespace DSPex.Orleans.Security;

/// <summary>
/// Session and program context of a request is the cluster's to set (a session grain fills it from its own
/// state): a caller from outside that sends it is ignored, whichever grain it calls.
/// </summary>
internal static class ExternalRequests
{
    public static void StripClusterContext(IInvokable call)
    {
        for (var i = 0; i < call.GetArgumentCount(); i++)
        {
            switch (call.GetArgument(i))
            {
                case ExecuteRequest { Session: not null } or ExecuteRequest { Program: not null }:
                    call.SetArgument(i, (ExecuteRequest)call.GetArgument(i)! with { Session = null, Program = null });
                    break;
                case IInvokable enumerated:
                    StripClusterContext(enumerated);
                    break;
            }
        }
    }
}
