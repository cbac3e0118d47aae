using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// Something failed that the caller did not cause: a fault inside a silo (its log has the details under the error
/// id in the message) or a failure of the call itself that no other kind describes.
/// </summary>
public sealed class InternalErrorException : DSPexException
{
    /// <summary>An internal error with a message.</summary>
    public InternalErrorException(string message)
        : base(DSPexErrorKind.Internal, message)
    {
    }

    /// <summary>An internal error with the exception that caused it.</summary>
    public InternalErrorException(string message, Exception? innerException)
        : base(DSPexErrorKind.Internal, message, null, innerException)
    {
    }
}
