using System.Text.Json;
using Orleans.Storage;

namespace DSPex.Orleans.Sessions.Storage;

/// <summary>
/// Grain storage serializer for sessions: System.Text.Json with the explicit contract of
/// <see cref="SessionStateJsonContext"/>, so stored sessions do not depend on .NET type names.
/// </summary>
internal sealed class SessionStorageSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) =>
        typeof(T) == typeof(SessionState)
            ? new BinaryData(JsonSerializer.SerializeToUtf8Bytes((SessionState?)(object?)input, SessionStateJsonContext.Default.SessionState))
            : throw new NotSupportedException($"The sessions storage holds {nameof(SessionState)} only, not {typeof(T)}.");

    public T? Deserialize<T>(BinaryData input)
    {
        if (typeof(T) != typeof(SessionState))
        {
            throw new NotSupportedException($"The sessions storage holds {nameof(SessionState)} only, not {typeof(T)}.");
        }

        var state = JsonSerializer.Deserialize(input.ToMemory().Span, SessionStateJsonContext.Default.SessionState);
        return (T?)(object?)(state is null ? null : SessionStateMigrations.Upgrade(state));
    }
}
