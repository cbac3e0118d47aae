using System.Runtime.CompilerServices;
using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// A JSON value with binary parts beside it: what <see cref="DSPexClient.ExecuteDataAsync"/> sends and returns. In
/// <see cref="From"/> a <see cref="BinaryData"/>, <see cref="ReadOnlyMemory{T}"/> of bytes or <see cref="DSPexArray"/>
/// anywhere in the value becomes a part (raw bytes, never base64) and the JSON refers to it; <see cref="Read{T}"/>
/// turns the references back into those types (docs/data.md).
/// </summary>
public sealed class DSPexData
{
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> WithParts = [];
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A value's JSON text and the parts it refers to ({"$bytes": i}, {"$array": i, ...}).</summary>
    public DSPexData(string json, IReadOnlyList<ReadOnlyMemory<byte>>? parts = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        Json = json;
        Parts = parts ?? [];
    }

    /// <summary>A data call's answer: its JSON and parts, or its typed error thrown.</summary>
    internal static DSPexData Of(ExecuteResponse response) =>
        response.Error is { } error
            ? throw DSPexException.From(error, response.WorkerId)
            : new DSPexData(response.ResultJson!, response.ResultParts);

    /// <summary>The JSON text; binary values in it are references to <see cref="Parts"/>.</summary>
    public string Json { get; }

    /// <summary>The binary parts, in the order the JSON refers to them.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Parts { get; }

    /// <summary>Serialises <paramref name="value"/> with System.Text.Json (web defaults when <paramref name="options"/> is null), its bytes and arrays as parts.</summary>
    public static DSPexData From(object? value, JsonSerializerOptions? options = null)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var json = WithContext(parts, () => JsonSerializer.Serialize(value, OptionsFor(options)), writing: true);
        return new DSPexData(json, parts);
    }

    /// <summary>Deserialises the JSON, each part reference read as the property's type (BinaryData, ReadOnlyMemory&lt;byte&gt;, DSPexArray).</summary>
    public T? Read<T>(JsonSerializerOptions? options = null) =>
        WithContext(Parts, () => JsonSerializer.Deserialize<T>(Json, OptionsFor(options)), writing: false);

    internal ReadOnlyMemory<byte>[]? PartsArray() => Parts.Count == 0 ? null : [.. Parts];

    private static JsonSerializerOptions OptionsFor(JsonSerializerOptions? options) =>
        WithParts.GetValue(options ?? Web, static source =>
        {
            var derived = new JsonSerializerOptions(source);
            derived.Converters.Insert(0, new PartConverters.BinaryDataConverter());
            derived.Converters.Insert(0, new PartConverters.MemoryConverter());
            derived.Converters.Insert(0, new PartConverters.ArrayConverter());
            return derived;
        });

    // A value that cannot be written is the caller's argument (InvalidArguments); data that cannot be read is a result
    // that does not fit the type asked for (ResultNotSerializable).
    private static TResult WithContext<TResult>(IReadOnlyList<ReadOnlyMemory<byte>> parts, Func<TResult> run, bool writing)
    {
        var outer = PartConverters.Current;
        PartConverters.Current = parts;
        try
        {
            return run();
        }
        catch (JsonException e)
        {
            throw writing
                ? new DSPexDataException(DSPexErrorKind.InvalidArguments, $"the value could not be written as JSON: {e.Message}")
                : new DSPexDataException(DSPexErrorKind.ResultNotSerializable, $"the data could not be read: {e.Message}");
        }
        finally
        {
            PartConverters.Current = outer;
        }
    }
}
