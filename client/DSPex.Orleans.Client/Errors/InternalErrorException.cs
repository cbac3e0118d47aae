using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// Something failed that the caller did not cause: a fault inside a silo (its log has the details under the error
/// id in the message) or a failure of the call itself that no other kind describes.
/// </summary>
public sealed class InternalErrorException(string message) : DSPexException(DSPexErrorKind.Internal, message);
