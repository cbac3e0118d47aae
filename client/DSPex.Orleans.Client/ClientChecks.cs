using System.Text.Json;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// The library refuses what the cluster would refuse, before sending: the same checks as the silo's entry
/// (<see cref="RequestChecks"/>), thrown as the matching <see cref="DSPexException"/> naming the parameter.
/// </summary>
internal static class ClientChecks
{
    public static void Command(string? command, string name = "command") => Throw(RequestChecks.Command(command, name));

    public static void Json(string? json, int maxBytes, string name = "argsJson") => Throw(RequestChecks.Json(json, maxBytes, name));

    public static void Parts(ReadOnlyMemory<byte>[]? parts, int maxBytes) => Throw(RequestChecks.Parts(parts, maxBytes));

    public static void Id(string? id, string name) => Throw(RequestChecks.Id(id, name));

    public static void Present(object? value, string name) => Throw(RequestChecks.Present(value, name));

    public static void Options(ExecuteOptions? options) =>
        Throw(RequestChecks.Timeout(options?.Timeout, RequestLimits.MaxTimeout, "options.Timeout")
            ?? (options?.Pool is null ? null : PoolNames.Check(options.Pool, "options.Pool")));

    public static void Options(SessionOptions? options, string name = "options")
    {
        Present(options, name);
        if (options!.Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new InvalidArgumentsException($"{name}.Ttl is {ttl}; a session's time to live must be positive (leave it unset for the default)");
        }

        if (options.Pool is not null)
        {
            Throw(PoolNames.Check(options.Pool, $"{name}.Pool"));
        }
    }

    /// <summary>Serialises typed arguments; a value System.Text.Json cannot write is the caller's argument, not a fault.</summary>
    public static string Serialize(object? value, JsonSerializerOptions json, string name, bool stringIsJson)
    {
        try
        {
            return stringIsJson && value is string text ? text : JsonSerializer.Serialize(value ?? new { }, json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidArgumentsException($"{name} could not be serialised to JSON: {e.Message}", e);
        }
    }

    /// <summary>A call's args as JSON and binary parts: as given when they already are, else serialised (null becomes {}).</summary>
    public static DSPexData ToData(object? value, JsonSerializerOptions json, string name)
    {
        try
        {
            return value as DSPexData ?? DSPexData.From(value ?? new { }, json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException
                                       or DSPexDataException { Part: null, Kind: DSPexErrorKind.InvalidArguments })
        {
            throw new InvalidArgumentsException($"{name} could not be serialised to JSON: {e.Message}", e);
        }
    }

    /// <summary>Serialises a value as it is (null becomes JSON null).</summary>
    public static string SerializeValue<T>(T value, JsonSerializerOptions json, string name)
    {
        try
        {
            return JsonSerializer.Serialize(value, json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidArgumentsException($"{name} could not be serialised to JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads a result as <typeparamref name="T"/>; JSON that does not fit the type is reported, not thrown raw.</summary>
    public static T Deserialize<T>(string json, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, options)!;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ResultNotSerializableException($"the result could not be read as {typeof(T).Name}: {e.Message}", null, e);
        }
    }

    private static void Throw(ExecuteError? error)
    {
        if (error is not null)
        {
            throw DSPexException.From(error, null);
        }
    }
}
