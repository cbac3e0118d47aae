using System.Diagnostics;
using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Native;
using DSPex.Orleans.Workers.ProcessSafety;
using DSPex.Orleans.Workers.Processes;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// A child this process started through Process, with a marker in its environment and none on its command line (as
/// the interpreter probe is started), looks like what a worker's code left behind. It must never be taken for an
/// adopted orphan nor reaped here: .NET collects its exit itself and fails the whole process fast when it finds the
/// child already reaped (CI: "Error while reaping child. errno = 10", the test host crashed).
/// </summary>
[Trait("Category", "Process")]
public sealed class DotnetChildrenTests
{
    [Fact]
    public async Task A_child_dotnet_started_is_neither_an_adopted_orphan_nor_reaped_here()
    {
        var marker = $"dotnet-child-test:{Guid.NewGuid():N}";
        var start = new ProcessStartInfo("sleep") { UseShellExecute = false };
        start.ArgumentList.Add("300");
        start.Environment[ProcessMarker.EnvironmentVariable] = marker;
        using var child = new Process { StartInfo = start };
        var before = LinuxProcess.UptimeTicks();
        DotnetChildren.Start(child);
        try
        {
            var ownPid = Environment.ProcessId;
            var snapshot = await Infrastructure.Eventually.HoldsAsync(
                () => Task.FromResult(ProcessSnapshots.Read(child.Id, _ => true)), s => s?.EnvironmentMarker == marker, "the child's environment readable");
            Assert.Equal(ownPid, snapshot!.ParentPid);

            var left = SweepRules.LeftBehindBy([snapshot], ownPid, NativeFiles.EffectiveUserId, marker, "test", before, LinuxProcess.UptimeTicks() + 1,
                new HashSet<int>());
            Assert.Empty(left);
            Assert.Equal(ChildSubreaper.ReapResult.NotOurChild, ChildSubreaper.TryReap(child.Id));
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync().WaitAsync(Infrastructure.TestBounds.Exit);
        }

        // .NET collected it itself, and the pid is no longer counted as .NET's.
        Assert.True(child.HasExited);
        await Infrastructure.Eventually.HoldsAsync(() => !DotnetChildren.Contains(child.Id), "the pid released once .NET saw the exit");
    }
}
