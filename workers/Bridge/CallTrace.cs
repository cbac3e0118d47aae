namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The W3C trace context a call carries to Python (<c>dspex.trace_context()</c>). The grains take it from the caller and
/// check it (version-00 traceparent, printable ASCII tracestate) before it reaches the core.
/// </summary>
internal readonly record struct CallTrace(string TraceParent, string? TraceState);
