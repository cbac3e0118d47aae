using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Processes;

/// <summary>The error kinds a bridge may report for a request; anything else it names is a Python exception.</summary>
internal static class BridgeErrorKinds
{
    // By name, not Enum.TryParse: that also takes numbers ("3") and kinds only the silo may give (None, WorkerCrashed).
    private static readonly Dictionary<string, DSPexErrorKind> Allowed = new(StringComparer.Ordinal)
    {
        ["PythonException"] = DSPexErrorKind.PythonException,
        ["UnknownCommand"] = DSPexErrorKind.UnknownCommand,
        ["InvalidArguments"] = DSPexErrorKind.InvalidArguments,
        ["ResultNotSerializable"] = DSPexErrorKind.ResultNotSerializable,
        ["FrameTooLarge"] = DSPexErrorKind.FrameTooLarge,
        ["Internal"] = DSPexErrorKind.Internal,
    };

    public static DSPexErrorKind Parse(string? kind) =>
        kind is not null && Allowed.TryGetValue(kind, out var parsed) ? parsed : DSPexErrorKind.PythonException;
}
