using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// The session would exceed one of the cluster's session limits (variable or spec size, number of variables
/// or programs, TTL, metadata). Nothing was changed; the session stays usable.
/// </summary>
public sealed class SessionLimitExceededException(string message) : DSPexException(DSPexErrorKind.SessionLimitExceeded, message);
