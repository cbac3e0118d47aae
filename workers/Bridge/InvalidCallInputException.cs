namespace DSPex.Orleans.Workers.Bridge;

/// <summary>Caller input a request frame cannot carry as the protocol reads it (not JSON, too deep, not Unicode, ...).</summary>
internal sealed class InvalidCallInputException(string message) : Exception(message);
