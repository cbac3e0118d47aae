using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace DSPex.Orleans.Tools;

/// <summary>
/// A .NET function Python may call mid-request (dspex.call_tool): a name, a description, the JSON Schema of its typed
/// argument record (System.Text.Json's exporter), and an async handler with a cancellation token bound to the
/// request's deadline and cancellation. Arguments are read into the record strictly (required members, nullability,
/// and unknown members refused when the record says [JsonUnmappedMemberHandling(Disallow)]); a mismatch is
/// InvalidArguments to Python, a handler's exception is ToolFailed. A <see cref="ReadOnlyMemory{T}"/> of bytes or a
/// <c>byte[]</c> member, in the arguments or the result, crosses as a binary part (Python's bytes, raw; docs/tools.md).
/// </summary>
public sealed class DSPexTool
{
    /// <summary>Longest tool name; names hold letters, digits and _ - .</summary>
    public const int MaxNameLength = 64;

    private readonly Func<string, ReadOnlyMemory<byte>[]?, CancellationToken, Task<ToolOutcome>> _invoke;

    private DSPexTool(string name, string description, string schemaJson, Func<string, ReadOnlyMemory<byte>[]?, CancellationToken, Task<ToolOutcome>> invoke)
    {
        Name = name;
        Description = description;
        SchemaJson = schemaJson;
        _invoke = invoke;
    }

    /// <summary>The name Python calls the tool by: ASCII letters, digits, '_', '-' and '.', at most <see cref="MaxNameLength"/>.</summary>
    public string Name { get; }

    /// <summary>What the tool does, as a model would be told.</summary>
    public string Description { get; }

    /// <summary>The JSON Schema of the arguments.</summary>
    public string SchemaJson { get; }

    /// <summary>Name, description and schema, as <c>dspex.list_tools()</c> gives them to Python.</summary>
    public ToolDescription Describe() => new(Name, Description, SchemaJson);

    /// <summary>A tool whose arguments are read into <typeparamref name="TArgs"/> and whose result is written with System.Text.Json.</summary>
    /// <param name="name">The tool's name (see <see cref="IsValidName"/>).</param>
    /// <param name="description">What the tool does.</param>
    /// <param name="handler">Runs the tool; its token fires when the request that called it is cancelled or ends.</param>
    /// <param name="json">How arguments and results are (de)serialised; web defaults (camelCase) with strict numbers when null.</param>
    public static DSPexTool Create<TArgs, TResult>(string name, string description, Func<TArgs, CancellationToken, Task<TResult>> handler, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(description);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"tool name '{name}' is not 1-{MaxNameLength} letters, digits, '_', '-' or '.'", nameof(name));
        }

        // Web defaults, except that numbers are numbers: a model reading the schema should not see "string or integer".
        var options = new JsonSerializerOptions(json ?? new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict })
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            MaxDepth = Contracts.RequestLimits.MaxJsonDepth,
        };
        ToolPartConverters.AddTo(options);
        options.MakeReadOnly(populateMissingResolver: true);
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(options, typeof(TArgs), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        if (schema is JsonObject record)
        {
            record.Insert(0, "description", description);
        }

        return new DSPexTool(name, description, schema.ToJsonString(), async (argsJson, argParts, cancellationToken) =>
        {
            TArgs args;
            try
            {
                args = ToolPartConverters.With([.. argParts ?? []], () => ReadArgs<TArgs>(argsJson, options));
            }
            catch (JsonException e)
            {
                return ToolOutcome.Fail(ToolErrorKinds.InvalidArguments, nameof(JsonException), $"the arguments of tool '{name}' do not match its schema: {e.Message}");
            }

            TResult result;
            try
            {
                result = await handler(args, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                return ToolOutcome.Fail(ToolErrorKinds.Cancelled, e.GetType().Name, $"tool '{name}' was cancelled: the request ended, was cancelled or passed its deadline");
            }
            catch (Exception e)
            {
                return ToolOutcome.Fail(ToolErrorKinds.ToolFailed, e.GetType().Name, e.Message);
            }

            try
            {
                var resultParts = new List<ReadOnlyMemory<byte>>();
                var json = ToolPartConverters.With(resultParts, () => JsonSerializer.Serialize(result, options));
                return ToolOutcome.Success(json, [.. resultParts]);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                return ToolOutcome.Fail(ToolErrorKinds.ResultNotSerializable, e.GetType().Name, $"the result of tool '{name}' cannot be written as JSON: {e.Message}");
            }
        });
    }

    /// <summary>Runs the tool; never throws (every failure is an outcome).</summary>
    public Task<ToolOutcome> InvokeAsync(string argsJson, CancellationToken cancellationToken) => InvokeAsync(argsJson, null, cancellationToken);

    /// <summary>Runs the tool with the binary parts its args refer to ({"$bytes": i}); never throws (every failure is an outcome).</summary>
    public async Task<ToolOutcome> InvokeAsync(string argsJson, ReadOnlyMemory<byte>[]? argParts, CancellationToken cancellationToken)
    {
        try
        {
            return await _invoke(argsJson, argParts, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ToolOutcome.Fail(ToolErrorKinds.ToolFailed, e.GetType().Name, e.Message);
        }
    }

    /// <summary>Whether <paramref name="name"/> may name a tool.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static TArgs ReadArgs<TArgs>(string argsJson, JsonSerializerOptions options)
    {
        using (var document = JsonDocument.Parse(argsJson, new JsonDocumentOptions { MaxDepth = Contracts.RequestLimits.MaxJsonDepth }))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"expected a JSON object, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
        }

        return JsonSerializer.Deserialize<TArgs>(argsJson, options) ?? throw new JsonException("expected a JSON object, got null");
    }
}
