using DSPex.Orleans.Workers.ProcessSafety;

namespace DSPex.Orleans.ProcessSafety;

/// <summary>
/// What reading one registry file gave: its content, or why it was refused (it is then skipped and logged, never
/// trusted). Neither means the file vanished in between (another silo settled it).
/// </summary>
internal sealed record RegistryFileRead(RegistryFileContent? Content, string? Refusal)
{
    public static RegistryFileRead Refused(string reason) => new(null, reason);

    public static readonly RegistryFileRead Vanished = new(null, null);
}
