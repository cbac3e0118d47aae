using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Security;
using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>
/// Runs the tool calls Python makes mid-request: a silo tool here, or a tool of the client that made the request
/// through that client's observer (<see cref="IDSPexToolHost"/>, named in the request). A scoped caller reaches only
/// the tools its credential grants (scope tool:&lt;name&gt;); Python can never reach another client's tools, since
/// only the request's own observer is ever called.
/// </summary>
internal sealed partial class ToolBroker
{
    private const int MaxMessageChars = 4000;
    private static readonly HashSet<string> Kinds = [.. typeof(ToolErrorKinds).GetFields().Select(f => (string)f.GetValue(null)!)];
    private readonly Dictionary<string, DSPexTool> _siloTools = new(StringComparer.Ordinal);
    private readonly ApiKeyAuthenticator? _authenticator;
    private readonly ToolMetrics? _metrics;
    private readonly ILogger<ToolBroker> _logger;

    public ToolBroker(IServiceProvider services, IOptions<DSPexToolOptions> options, ILogger<ToolBroker> logger)
    {
        foreach (var registration in services.GetServices<SiloToolRegistration>())
        {
            var tool = registration.Build(services);
            if (!_siloTools.TryAdd(tool.Name, tool))
            {
                throw new InvalidOperationException($"two silo tools are named '{tool.Name}'");
            }
        }

        _authenticator = services.GetService<ApiKeyAuthenticator>();
        _metrics = services.GetService<Telemetry.DSPexInstruments>() is { } instruments ? new ToolMetrics(instruments) : null;
        Options = options.Value;
        _logger = logger;
        SiloToolDescriptions = [.. _siloTools.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Describe())];
    }

    public DSPexToolOptions Options { get; }

    public ToolDescription[] SiloToolDescriptions { get; }

    /// <summary>The tool context of a request, or null when it can reach no tool at all (no silo tools, no client tools).</summary>
    public ToolSession? Open(ExecuteRequest request) =>
        _siloTools.Count == 0 && request.Tools is null ? null : new ToolSession(this, request.Tools, request.ToolCaller, request.Command, Activity.Current?.Context ?? default);

    /// <summary>The tools a request may call: the client's, then the silo's it does not shadow, those the caller's scopes allow.</summary>
    public ToolDescription[] Visible(ClientTools? client, string? caller)
    {
        var tools = new List<ToolDescription>();
        foreach (var tool in (client?.Tools ?? []).Concat(SiloToolDescriptions))
        {
            if (tools.TrueForAll(t => t.Name != tool.Name) && Allows(caller, tool.Name))
            {
                tools.Add(tool);
            }
        }

        return [.. tools];
    }

    public async Task<ToolOutcome> InvokeAsync(ClientTools? client, string? caller, string name, string argsJson, ReadOnlyMemory<byte>[]? argParts, CancellationToken cancellationToken)
    {
        if (!Allows(caller, name))
        {
            LogForbidden(_logger, caller ?? "", ShownText.Of(name));
            return ToolOutcome.Fail(ToolErrorKinds.Forbidden, "Forbidden", $"credential '{caller}' lacks the scope '{ShownText.Of(Scopes.Tool(name))}'");
        }

        if (client is not null && Array.Exists(client.Tools, t => t.Name == name))
        {
            return Bounded(await CallClientAsync(client.Host, new ToolCall(name, argsJson) { ArgParts = argParts }, cancellationToken).ConfigureAwait(false));
        }

        if (_siloTools.TryGetValue(name, out var tool))
        {
            return Bounded(await tool.InvokeAsync(argsJson, argParts, cancellationToken).ConfigureAwait(false));
        }

        var visible = Visible(client, caller);
        return ToolOutcome.Fail(ToolErrorKinds.UnknownTool, "UnknownTool", visible.Length == 0
            ? $"no tool '{ShownText.Of(name)}': this request may call no tools"
            : $"no tool '{ShownText.Of(name)}'; this request may call: {string.Join(", ", visible.Select(t => t.Name))}");
    }

    public void Record(string name, ClientTools? client, string outcome, TimeSpan elapsed) =>
        _metrics?.Record(_siloTools.ContainsKey(name) || (client?.Tools.Any(t => t.Name == name) ?? false) ? name : "other", outcome, elapsed);

    /// <summary>The list_tools answer: [{"name", "description", "schema"}] with each schema as the JSON object it is.</summary>
    public static string ListJson(ToolDescription[] tools)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var tool in tools)
            {
                json.WriteStartObject();
                json.WriteString("name"u8, tool.Name);
                json.WriteString("description"u8, tool.Description);
                json.WritePropertyName("schema"u8);
                try
                {
                    using var schema = JsonDocument.Parse(tool.SchemaJson);
                    schema.RootElement.WriteTo(json);
                }
                catch (JsonException)
                {
                    json.WriteStartObject();
                    json.WriteEndObject(); // a client sent a schema that is not JSON: described as "anything"
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private bool Allows(string? caller, string tool)
    {
        if (caller is null || _authenticator is null || !_authenticator.RequiresCredentials)
        {
            return true; // a call from inside the cluster, or a cluster without credentials
        }

        return _authenticator.Find(caller)?.Allows(Scopes.Tool(tool)) ?? false;
    }

    /// <summary>
    /// Calls the client's tool while probing the client: a client that died (or lost its gateway) never answers, and
    /// Orleans would wait out its response timeout, so a probe that is not answered in time fails the call.
    /// </summary>
    private async Task<ToolOutcome> CallClientAsync(IDSPexToolHost host, ToolCall toolCall, CancellationToken cancellationToken)
    {
        var name = toolCall.Name;
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = ProbeUntilGoneAsync(host, call.Token);
        try
        {
            var running = host.CallToolAsync(toolCall, call.Token);
            if (await Task.WhenAny(running, probe).ConfigureAwait(false) == probe && await probe.ConfigureAwait(false))
            {
                LogClientGone(_logger, name);
                return ToolOutcome.Fail(ToolErrorKinds.ToolUnavailable, "ClientUnavailable",
                    $"the client offering tool '{name}' stopped answering (no answer to a probe within {Options.ClientProbeTimeout.TotalMilliseconds:0} ms)");
            }

            // The token ends the wait even if the client never sees the cancellation.
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ToolOutcome.Fail(ToolErrorKinds.Cancelled, "OperationCanceledException", $"tool '{name}' was cancelled: the request ended, was cancelled or passed its deadline");
        }
        catch (Exception e)
        {
            return ToolOutcome.Fail(ToolErrorKinds.ToolUnavailable, e.GetType().Name, $"the client offering tool '{name}' could not be reached: {e.Message}");
        }
        finally
        {
            await call.CancelAsync().ConfigureAwait(false);
            await probe.ConfigureAwait(false);
        }
    }

    /// <summary>True when the client failed a probe; false once the call is over (its token cancelled).</summary>
    private async Task<bool> ProbeUntilGoneAsync(IDSPexToolHost host, CancellationToken callOver)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Options.ClientProbeInterval, callOver).ConfigureAwait(false);
                await host.PingAsync().WaitAsync(Options.ClientProbeTimeout, callOver).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (callOver.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception)
        {
            return true; // timed out or refused: the client is gone
        }
    }

    /// <summary>A client's outcome is not trusted: its kind must be one Python knows and its text bounded.</summary>
    private static ToolOutcome Bounded(ToolOutcome outcome)
    {
        if (outcome?.Error is not { } error)
        {
            return outcome?.ResultJson is null ? ToolOutcome.Success("null") : outcome;
        }

        var kind = error.Kind is not null && Kinds.Contains(error.Kind) ? error.Kind : ToolErrorKinds.ToolFailed;
        return ToolOutcome.Fail(kind, Shorten(error.Type ?? "", 200), Shorten(error.Message ?? "", MaxMessageChars));
    }

    private static string Shorten(string text, int limit = 100) => text.Length <= limit ? text : text[..limit] + "…";

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Refused tool '{Tool}' to credential '{Principal}': outside its scopes")]
    private static partial void LogForbiddenCore(ILogger logger, string tool, string principal);

    private static void LogForbidden(ILogger logger, string principal, string tool) => LogForbiddenCore(logger, tool, principal);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "The client offering tool '{Tool}' stopped answering probes; the tool call failed")]
    private static partial void LogClientGone(ILogger logger, string tool);
}
