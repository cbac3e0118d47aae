using DSPex.Orleans.ProcessSafety;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.Tests.ProcessSafety;

/// <summary>
/// The state directory decides which registry files the reaper may trust: a folder another user could write is
/// refused (the tests run as root, so "another user" is nobody, uid 65534).
/// </summary>
[Trait("Category", "Process")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StateDirectoryTests
{
    private const UnixFileMode Everyone = (UnixFileMode)0x1FF; // 0777

    [Fact]
    public void Missing_folders_are_created_owner_only_parents_included()
    {
        using var state = new TemporaryDirectory();
        var cluster = Path.Combine(state.Path, "a", "b", "root", "cluster");

        StateDirectory.Ensure(cluster);

        foreach (var folder in new[] { "a", "a/b", "a/b/root", "a/b/root/cluster" })
        {
            var status = NativeFiles.LinkStatus(Path.Combine(state.Path, folder))!.Value;
            Assert.True(status.IsDirectory && status.Permissions == "0700", $"{folder} is {status.TypeName} {status.Permissions}");
        }

        StateDirectory.Ensure(cluster); // and accepted once it exists
    }

    [Theory]
    [InlineData("root owned by another user", "is owned by uid 65534")]
    [InlineData("root writable by everyone", "writable by group or others")]
    [InlineData("root is a symlink", "is a symbolic link")]
    [InlineData("cluster folder owned by another user", "is owned by uid 65534")]
    [InlineData("cluster folder writable by everyone", "writable by group or others")]
    [InlineData("cluster folder is a file", "not a directory")]
    [InlineData("parent owned by another user", "is owned by uid 65534")]
    public async Task A_folder_another_user_could_change_is_refused(string case_, string reason)
    {
        using var state = new TemporaryDirectory();
        var parent = Path.Combine(state.Path, "parent");
        var root = Path.Combine(parent, "root");
        var cluster = Path.Combine(root, "cluster");
        Directory.CreateDirectory(parent);
        switch (case_)
        {
            case "root owned by another user":
                Directory.CreateDirectory(root);
                await HostTools.RunAsync("chown", HostTools.Nobody, root);
                break;
            case "root writable by everyone":
                Directory.CreateDirectory(root);
                File.SetUnixFileMode(root, Everyone);
                break;
            case "root is a symlink":
                Directory.CreateDirectory(Path.Combine(parent, "elsewhere"));
                Directory.CreateSymbolicLink(root, Path.Combine(parent, "elsewhere"));
                break;
            case "cluster folder owned by another user":
                Directory.CreateDirectory(cluster);
                await HostTools.RunAsync("chown", HostTools.Nobody, cluster);
                break;
            case "cluster folder writable by everyone":
                Directory.CreateDirectory(cluster);
                File.SetUnixFileMode(cluster, Everyone);
                break;
            case "cluster folder is a file":
                Directory.CreateDirectory(root);
                await File.WriteAllTextAsync(cluster, "");
                break;
            case "parent owned by another user":
                await HostTools.RunAsync("chown", HostTools.Nobody, parent);
                break;
        }

        var refused = Assert.Throws<UnsafeStateDirectoryException>(() => StateDirectory.Ensure(cluster));
        Assert.Contains(reason, refused.Message);
        Assert.Contains("Refusing the process-safety state directory", refused.Message);
    }

    [Theory]
    [InlineData(true)] // like /tmp
    [InlineData(false)] // like a Kubernetes emptyDir mounted at /tmp
    public void A_shared_root_owned_parent_is_accepted(bool sticky)
    {
        using var state = new TemporaryDirectory();
        var shared = Path.Combine(state.Path, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, sticky ? Everyone | UnixFileMode.StickyBit : Everyone);

        StateDirectory.Ensure(Path.Combine(shared, "root", "cluster"));

        Assert.Equal("0700", NativeFiles.LinkStatus(Path.Combine(shared, "root"))!.Value.Permissions);
    }

    [Fact]
    public void The_default_root_is_per_user()
    {
        var root = StateDirectory.DefaultRoot();
        Assert.True(root.EndsWith($"dspex-orleans-{NativeFiles.EffectiveUserId}", StringComparison.Ordinal)
            || (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && root == Path.Combine(runtime, "dspex-orleans")), root);
    }

    [Theory]
    [InlineData("owned by nobody", "is owned by uid 65534")]
    [InlineData("mode 0777", "writable by group or others")]
    [InlineData("a symlink", "is a symbolic link")]
    public async Task A_real_silo_refuses_to_start_on_such_a_state_directory_with_one_line_and_exit_code_2(string case_, string reason)
    {
        using var state = new TemporaryDirectory();
        var root = Path.Combine(state.Path, "state");
        var listed = root;
        switch (case_)
        {
            case "owned by nobody":
                Directory.CreateDirectory(root);
                await HostTools.RunAsync("chown", HostTools.Nobody, root);
                break;
            case "mode 0777":
                Directory.CreateDirectory(root);
                File.SetUnixFileMode(root, Everyone);
                break;
            default:
                listed = Path.Combine(state.Path, "elsewhere");
                Directory.CreateDirectory(listed);
                File.SetUnixFileMode(listed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Directory.CreateSymbolicLink(root, listed);
                break;
        }

        await using var silo = RealSiloProcess.Start(RealSiloSettings.Fresh(root));
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Warm);
        var exitCode = await silo.ExitAsync();

        Assert.Contains("Refusing the process-safety state directory", failed.Message);
        Assert.Contains(reason, failed.Message);
        // The operator's to fix: one line naming the directory and the rule, exit code 2, no unhandled exception.
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{silo.Output}");
        Assert.Contains($"dspex-silo: configuration error: DSPex:ProcessSafety:StateDirectory: Refusing the process-safety state directory: {root}", silo.Output);
        Assert.DoesNotMatch(Robustness.CliErrorTests.StackFrame, silo.Output);
        Assert.Empty(Directory.GetFileSystemEntries(listed)); // nothing written there
    }
}
