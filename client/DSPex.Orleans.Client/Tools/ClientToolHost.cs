using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Client.Tools;

/// <summary>
/// The observer through which the silo serving one of this client's requests runs this client's tools. Only a
/// request this client made names it, so Python never reaches another client's tools.
/// </summary>
internal sealed class ClientToolHost(DSPexToolSet tools) : IDSPexToolHost
{
    public Task<ToolOutcome> CallToolAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (call?.Name is not { } name || tools.Find(name) is not { } tool)
        {
            return Task.FromResult(ToolOutcome.Fail(ToolErrorKinds.UnknownTool, "UnknownTool", $"this client has no tool '{call?.Name}'"));
        }

        return tool.InvokeAsync(call.ArgsJson ?? "null", call.ArgParts, cancellationToken);
    }

    public Task PingAsync() => Task.CompletedTask;
}
