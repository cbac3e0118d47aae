namespace DSPex.Orleans.Workers.Bridge;

/// <summary>The error kinds a bridge may report for a request; anything else it names is a Python exception.</summary>
internal static class BridgeErrorKinds
{
    // By name, not Enum.TryParse: that also takes numbers ("3") and kinds only the silo may give (WorkerCrashed, DeadlineExceeded).
    private static readonly Dictionary<string, CallErrorKind> Allowed = new(StringComparer.Ordinal)
    {
        ["PythonException"] = CallErrorKind.PythonException,
        ["UnknownCommand"] = CallErrorKind.UnknownCommand,
        ["InvalidArguments"] = CallErrorKind.InvalidArguments,
        ["ResultNotSerializable"] = CallErrorKind.ResultNotSerializable,
        ["FrameTooLarge"] = CallErrorKind.FrameTooLarge,
        ["Internal"] = CallErrorKind.Internal,
    };

    public static CallErrorKind Parse(string? kind) =>
        kind is not null && Allowed.TryGetValue(kind, out var parsed) ? parsed : CallErrorKind.PythonException;
}
