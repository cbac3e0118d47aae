using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// The registry folder under the rules the silo applies at start (<see cref="StateDirectory"/>), without creating it:
/// a folder that breaks a rule fails with the silo's own words; a missing one passes when its closest existing parent
/// lets this user create it. Details: the path, its owner and mode.
/// </summary>
internal sealed class StateDirectoryCheck(string clusterDirectory) : IDiagnosticCheck
{
    public const string Setting = "DSPex:ProcessSafety:StateDirectory";

    public string Name => "state directory";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        string? missing;
        try
        {
            missing = StateDirectory.Inspect(clusterDirectory);
        }
        catch (UnsafeStateDirectoryException e)
        {
            return Task.FromResult(new CheckResult(Name, CheckStatus.Fail, e.Message, Setting));
        }

        if (missing is null)
        {
            var status = NativeFiles.Status(clusterDirectory);
            return Task.FromResult(CheckResult.Pass(Name, $"{clusterDirectory} is safe",
                [$"owner uid {status?.OwnerUid}, mode {status?.Permissions}"]));
        }

        var parent = Path.GetDirectoryName(missing) ?? "/";
        return Task.FromResult(CanCreateIn(parent)
            ? CheckResult.Pass(Name, $"{clusterDirectory} does not exist yet; the silo creates it (0700) in {parent}")
            : new CheckResult(Name, CheckStatus.Fail, $"{missing} does not exist and uid {NativeFiles.EffectiveUserId} cannot create it in {parent}", Setting));
    }

    private static bool CanCreateIn(string parent)
    {
        if (NativeFiles.Status(parent) is not { IsDirectory: true } status)
        {
            return false;
        }

        var mode = status.Mode;
        return NativeFiles.EffectiveUserId == 0
            || (status.OwnerUid == NativeFiles.EffectiveUserId && (mode & 0x80) != 0) // u+w
            || (mode & 0x2) != 0; // o+w (a sticky /tmp)
    }
}
