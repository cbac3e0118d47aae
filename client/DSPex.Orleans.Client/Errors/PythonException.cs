using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>The Python command raised. <see cref="PythonType"/> is the exception class, <see cref="PythonTraceback"/> its traceback.</summary>
public sealed class PythonException(string message, string pythonType, string? pythonTraceback, string? workerId)
    : DSPexException(DSPexErrorKind.PythonException, $"{pythonType}: {message}", workerId)
{
    public string PythonType { get; } = pythonType;

    public string PythonMessage { get; } = message;

    public string? PythonTraceback { get; } = pythonTraceback;
}
