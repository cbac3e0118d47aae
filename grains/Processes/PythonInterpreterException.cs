namespace DSPex.Orleans.Processes;

/// <summary>The configured Python executable cannot be run or is not a usable interpreter.</summary>
public sealed class PythonInterpreterException(string message, Exception? inner = null) : Exception(message, inner);
