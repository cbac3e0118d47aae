using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>No session of that id exists for this caller's credential.</summary>
public sealed class SessionNotFoundException(string message) : DSPexException(DSPexErrorKind.SessionNotFound, message);
