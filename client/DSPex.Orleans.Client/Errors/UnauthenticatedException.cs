using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>The cluster requires an API key and none, or one it does not know, was sent; nothing ran.</summary>
public sealed class UnauthenticatedException(string message) : DSPexException(DSPexErrorKind.Unauthenticated, message);
