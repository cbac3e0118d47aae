namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Why a call to a worker failed, as the worker core knows it: the grains map it to the contract's ExecuteError at
/// the pool (the core has no Orleans types). <see cref="PythonType"/> and <see cref="Traceback"/> are set when Python
/// raised. A plain class, not a record: a deadline's or a cancellation's answer is one instance recognised by
/// reference, which a record's value equality would blur.
/// </summary>
internal sealed class CallError(CallErrorKind kind, string message, string? pythonType = null, string? traceback = null)
{
    /// <summary>The kind of failure; named as the contract's DSPexErrorKind it maps to.</summary>
    public CallErrorKind Kind { get; } = kind;

    /// <summary>What went wrong, for the caller.</summary>
    public string Message { get; } = message;

    /// <summary>The Python exception's type, when Python raised.</summary>
    public string? PythonType { get; } = pythonType;

    /// <summary>The Python traceback, when Python raised.</summary>
    public string? Traceback { get; } = traceback;

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}: {Message}";
}
