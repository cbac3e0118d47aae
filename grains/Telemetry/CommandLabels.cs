using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Telemetry;

/// <summary>
/// The value of a request's "command" metric label, from a bounded set: a command the workers registered (their
/// handshake lists them), "program:" and a program type that has run successfully, and <see cref="Other"/> for the
/// rest. Callers choose command names and program specs, so their text must never become a label by itself: each
/// distinct label is a time series a metrics backend keeps.
/// </summary>
internal sealed class CommandLabels
{
    public const string Other = "other";

    public const string OtherProgram = "program:other";

    /// <summary>Distinct program types labelled; a type first seen past this is labelled <see cref="OtherProgram"/>.</summary>
    public const int MaxProgramTypes = 64;

    /// <summary>Registered commands labelled; the operator's adapters choose them, this only guards against a runaway set.</summary>
    public const int MaxCommands = 1024;

    private const int MaxProgramTypeLength = 64;

    private readonly ConcurrentDictionary<string, string> _commands = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _programTypes = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<string, string> _typeOfSpec = new();

    /// <summary>Adds the commands a worker registered (from its handshake).</summary>
    public void Learn(IEnumerable<string> registered)
    {
        foreach (var command in registered)
        {
            if (_commands.Count >= MaxCommands)
            {
                return;
            }

            if (RequestChecks.Command(command) is null)
            {
                _commands.TryAdd(command, command);
            }
        }
    }

    /// <summary>The label of a request. A program's type becomes a label only once a call of it succeeded, which shows Python has that type.</summary>
    public string For(string command, ProgramCall? program, bool succeeded)
    {
        if (program is null)
        {
            return _commands.TryGetValue(command, out var label) ? label : Other;
        }

        var type = program.SpecJson is null ? null : TypeOf(program.SpecJson);
        if (type is null)
        {
            return OtherProgram;
        }

        if (_programTypes.TryGetValue(type, out var known))
        {
            return known;
        }

        if (!succeeded || _programTypes.Count >= MaxProgramTypes)
        {
            return OtherProgram;
        }

        return _programTypes.GetOrAdd(type, $"program:{type}");
    }

    /// <summary>The spec's top-level "type", when it is a short name; read once per spec text (the session holds one instance).</summary>
    private string? TypeOf(string specJson)
    {
        if (_typeOfSpec.TryGetValue(specJson, out var cached))
        {
            return cached.Length == 0 ? null : cached;
        }

        var type = ReadType(specJson) ?? "";
        _typeOfSpec.AddOrUpdate(specJson, type);
        return type.Length == 0 ? null : type;
    }

    private static string? ReadType(string specJson)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(specJson));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    var type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    return type is { Length: > 0 and <= MaxProgramTypeLength } && RequestChecks.Command(type) is null ? type : null;
                }

                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }

        return null;
    }
}
