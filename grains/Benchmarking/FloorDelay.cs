using System.Text.Json;

namespace DSPex.Orleans.Benchmarking;

/// <summary>
/// The floor grain's delayed answer: command <c>floor-delay</c> with arguments <c>{"ms": N}</c>, a whole number of
/// milliseconds from 0 to <see cref="MaxMilliseconds"/> (whole, because .NET's timers on Linux fire at millisecond
/// steps anyway). Anything else is refused as invalid arguments. Who may send it: whoever may call the floor grain
/// (a silo started with DSPex:Silo:BenchmarkFloor=true, callers with the execute scope); the ceiling keeps a caller
/// from parking calls on the silo for longer than a second each.
/// </summary>
internal static class FloorDelay
{
    public const string Command = "floor-delay";

    public const int MaxMilliseconds = 1000;

    public static bool TryRead(string? argsJson, out TimeSpan delay, out string problem)
    {
        delay = TimeSpan.Zero;
        problem = $"{Command} takes {{\"ms\": N}}, a whole number of milliseconds from 0 to {MaxMilliseconds}";
        if (string.IsNullOrEmpty(argsJson))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(argsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("ms", out var ms)
                || ms.ValueKind != JsonValueKind.Number
                || !ms.TryGetInt32(out var milliseconds)
                || milliseconds is < 0 or > MaxMilliseconds)
            {
                return false;
            }

            delay = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
