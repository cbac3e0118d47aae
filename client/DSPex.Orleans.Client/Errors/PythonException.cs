using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>The Python command raised. <see cref="PythonType"/> is the exception class, <see cref="PythonTraceback"/> its traceback.</summary>
public sealed class PythonException(string message, string pythonType, string? pythonTraceback, string? workerId)
    : DSPexException(DSPexErrorKind.PythonException, $"{pythonType}: {message}", workerId)
{
    /// <summary>The Python exception's class name.</summary>
    public string PythonType { get; } = pythonType;

    /// <summary>The Python exception's message.</summary>
    public string PythonMessage { get; } = message;

    /// <summary>The Python traceback, when the worker sent one.</summary>
    public string? PythonTraceback { get; } = pythonTraceback;
}
