using System.Diagnostics;

namespace DSPex.Orleans.Telemetry;

/// <summary>
/// The W3C trace context a call carries to Python (<c>dspex.trace_context()</c>), so spans a user's Python code
/// starts join the caller's trace. Taken from the current <see cref="Activity"/> (the worker's span, or the grain
/// call's span that Orleans' activity propagation started under the caller's), or, when nothing in the silo
/// listens to activities, from the caller's trace context that propagation left in Orleans' request context.
/// Only version-00 trace context within its bounds is sent; anything else is dropped, never an error (W3C trace
/// context says a receiver ignores a header it cannot read).
/// </summary>
internal readonly record struct TraceContext(string TraceParent, string? TraceState)
{
    /// <summary>Tracestate beyond this many characters is dropped (the W3C limit a receiver must keep is 512).</summary>
    public const int MaxTraceStateChars = 512;

    private const int TraceParentChars = 55; // "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex

    /// <summary>The trace context of the code running now, or null when there is none.</summary>
    public static TraceContext? Current()
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            return From(activity.Id, activity.TraceStateString);
        }

        return From(RequestContext.Get("traceparent") as string, RequestContext.Get("tracestate") as string);
    }

    /// <summary>The trace context of a traceparent and tracestate, when the traceparent is valid version-00 trace context.</summary>
    public static TraceContext? From(string? traceParent, string? traceState)
    {
        if (!IsTraceParent(traceParent))
        {
            return null;
        }

        return new TraceContext(traceParent!, IsTraceState(traceState) ? traceState : null);
    }

    private static bool IsTraceParent(string? text)
    {
        if (text is not { Length: TraceParentChars } || !text.StartsWith("00-", StringComparison.Ordinal) || text[35] != '-' || text[52] != '-')
        {
            return false;
        }

        return IsLowerHex(text.AsSpan(3, 32)) && IsLowerHex(text.AsSpan(36, 16)) && IsLowerHex(text.AsSpan(53, 2))
            && text.AsSpan(3, 32).ContainsAnyExcept('0') && text.AsSpan(36, 16).ContainsAnyExcept('0');
    }

    private static bool IsTraceState(string? text) =>
        text is { Length: > 0 and <= MaxTraceStateChars } && !text.AsSpan().ContainsAnyExceptInRange((char)0x20, (char)0x7e);

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
