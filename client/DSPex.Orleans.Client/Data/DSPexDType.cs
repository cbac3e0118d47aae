using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Client;

/// <summary>
/// The element types an array may cross in (grains/Python/dspex/protocol.json "binary_parts.dtypes", numpy's names),
/// each with the .NET type it is read as.
/// </summary>
internal static class DSPexDType
{
    private static readonly Dictionary<string, (Type Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["bool"] = (typeof(bool), 1),
        ["int8"] = (typeof(sbyte), 1),
        ["uint8"] = (typeof(byte), 1),
        ["int16"] = (typeof(short), 2),
        ["uint16"] = (typeof(ushort), 2),
        ["int32"] = (typeof(int), 4),
        ["uint32"] = (typeof(uint), 4),
        ["int64"] = (typeof(long), 8),
        ["uint64"] = (typeof(ulong), 8),
        ["float32"] = (typeof(float), 4),
        ["float64"] = (typeof(double), 8),
    };

    /// <summary>Every dtype name, as protocol.json lists them.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The element size of a dtype this side knows; a DSPexDataException naming the part otherwise.</summary>
    public static int SizeOf(string? dtype, int? part, DSPexErrorKind kind) =>
        dtype is not null && ByName.TryGetValue(dtype, out var known)
            ? known.Size
            : throw new DSPexDataException(kind, $"dtype '{Shown(dtype)}' is not one .NET reads ({string.Join(", ", ByName.Keys)})", part);

    /// <summary>The dtype of a .NET element type; a DSPexDataException for a type no dtype holds.</summary>
    public static string Of<T>() => ByName.FirstOrDefault(p => p.Value.Type == typeof(T)).Key
        ?? throw new DSPexDataException(DSPexErrorKind.InvalidArguments, $"{typeof(T).Name} is not an element type an array can cross in ({string.Join(", ", ByName.Keys)})");

    /// <summary>The .NET element type of a known dtype.</summary>
    public static Type TypeOf(string dtype) => ByName[dtype].Type;

    private static string Shown(string? text) => text is null ? "(none)" : text.Length <= 32 ? text : text[..32] + "…";
}
