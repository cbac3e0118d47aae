using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client.Errors;

/// <summary>
/// Bytes or an array that cannot cross as a binary part (docs/data.md): a dtype the other side does not know, a shape
/// whose element count overflows, a part whose length is not the shape's, a byte order this machine does not read, a
/// reference to a part the data does not carry. <see cref="Part"/> names the part where there is one. Reading a result:
/// kind ResultNotSerializable; writing args: InvalidArguments.
/// </summary>
public sealed class DSPexDataException : DSPexException
{
    /// <summary>A data failure of the given kind about part <paramref name="part"/> (null: not one part).</summary>
    public DSPexDataException(DSPexErrorKind kind, string message, int? part = null)
        : base(kind, part is { } index ? $"part {index}: {message}" : message)
    {
        Part = part;
    }

    /// <summary>The binary part the failure is about, when it is about one.</summary>
    public int? Part { get; }
}
