using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// The store that holds sessions (Redis in production, named in the message) could not be reached or refused a
/// write. The change was not kept and the session stays as it was stored; the call may be sent again once the store is back.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null)
    : DSPexException(DSPexErrorKind.StorageUnavailable, message, null, innerException);
