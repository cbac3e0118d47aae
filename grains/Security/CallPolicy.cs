using System.Text.Json;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Orleans.Serialization.Invocation;

namespace DSPex.Orleans.Security;

/// <summary>The scopes a call on a public facade needs, read from the method and its arguments.</summary>
internal static class CallPolicy
{
    public static IEnumerable<string> RequiredScopes(IInvokable call)
    {
        // Orleans starts a grain's IAsyncEnumerable method through an extension whose argument is the method call itself.
        for (var i = 0; i < call.GetArgumentCount(); i++)
        {
            if (call.GetArgument(i) is IInvokable enumerated)
            {
                return RequiredScopes(enumerated);
            }
        }

        var method = call.GetMethodName();
        var face = call.GetInterfaceType();

        if (face == typeof(IRouterGrain))
        {
            return method switch
            {
                nameof(IRouterGrain.ExecuteAsync) => [Scopes.Execute, CommandOf(call, 0)],
                nameof(IRouterGrain.ExecuteInSessionAsync) => [Scopes.Sessions, Scopes.Execute, CommandOf(call, 1)],
                nameof(IRouterGrain.ExecuteProgramAsync) => [Scopes.Sessions, Scopes.Execute],
                nameof(IRouterGrain.StreamAsync) => [Scopes.Stream, CommandOf(call, 0)],
                nameof(IRouterGrain.ExecuteUploadAsync) => [Scopes.Execute, CommandOf(call, 0)],
                nameof(IRouterGrain.StreamInSessionAsync) => [Scopes.Sessions, Scopes.Stream, CommandOf(call, 1)],
                nameof(IRouterGrain.ExecuteUploadInSessionAsync) => [Scopes.Sessions, Scopes.Execute, CommandOf(call, 1)],
                nameof(IRouterGrain.GetClusterStatsAsync) => [Scopes.Stats],
                // The client library asks the state of its own calls after a gateway loss.
                nameof(IRouterGrain.GetCallStatesAsync) => [],
                _ => [$"router:{method}"],
            };
        }

        if (face == typeof(ISessionGrain))
        {
            return method switch
            {
                nameof(ISessionGrain.ExecuteAsync) => [Scopes.Sessions, Scopes.Execute, CommandOf(call, 0)],
                nameof(ISessionGrain.ExecuteProgramAsync) => [Scopes.Sessions, Scopes.Execute],
                nameof(ISessionGrain.StartStreamAsync) => [Scopes.Sessions, Scopes.Stream, CommandOf(call, 0)],
                nameof(ISessionGrain.CreateProgramAsync) => [Scopes.Sessions, Scopes.Program(ProgramTypeOf(call.GetArgument(1) as string))],
                _ => [Scopes.Sessions],
            };
        }

        if (face == typeof(IBenchmarkFloorGrain))
        {
            // Answers like an execute call (without running anything), so it needs what an execute call needs.
            return [Scopes.Execute];
        }

        if (face == typeof(IReaperGrain))
        {
            return [Scopes.Sweep];
        }

        // Orleans' own extensions on a facade (next item of a stream, cancellation): authentication is enough.
        return [];
    }

    private static string CommandOf(IInvokable call, int index) =>
        Scopes.Command(call.GetArgument(index) is ExecuteRequest request ? request.Command : "");

    /// <summary>The "type" of a program spec; empty when the spec does not say (then only "program:*" covers it).</summary>
    private static string ProgramTypeOf(string? specJson)
    {
        try
        {
            using var spec = JsonDocument.Parse(specJson ?? "");
            return spec.RootElement.ValueKind == JsonValueKind.Object && spec.RootElement.TryGetProperty("type", out var type)
                && type.ValueKind == JsonValueKind.String ? type.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
