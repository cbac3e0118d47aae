using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.UnitTests.Native;

/// <summary>Where a process's cgroup is on disk, from /proc/self/mountinfo and /proc/self/cgroup text (the worker cgroups rely on it).</summary>
[Trait("Category", "Unit")]
public sealed class Cgroup2ParserTests
{
    private const string HybridMountinfo =
        "30 25 0:26 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755\n" +
        "31 30 0:27 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n" +
        "36 30 0:30 / /sys/fs/cgroup/unified rw,relatime shared:14 - cgroup2 cgroup2 rw\n";

    [Fact]
    public void The_cgroup2_mount_is_found_among_v1_mounts()
    {
        Assert.Equal(("/sys/fs/cgroup/unified", "/"), Cgroup2.MountPoint(HybridMountinfo));
        Assert.Null(Cgroup2.MountPoint("31 30 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"));
    }

    [Fact]
    public void Optional_fields_and_escaped_spaces_in_a_mount_point_are_read()
    {
        Assert.Equal(("/mnt/my cg", "/"), Cgroup2.MountPoint("36 30 0:30 / /mnt/my\\040cg rw shared:1 master:2 - cgroup2 none rw\n"));
    }

    [Fact]
    public void The_unified_path_is_the_0_line_only()
    {
        Assert.Equal("/kubepods/pod1/c2", Cgroup2.UnifiedPath("4:memory:/x\n0::/kubepods/pod1/c2\n"));
        Assert.Null(Cgroup2.UnifiedPath("4:memory:/x\n1:cpu:/y\n"));
    }

    [Theory]
    [InlineData("/sys/fs/cgroup", "/", "/", "/sys/fs/cgroup")]
    [InlineData("/sys/fs/cgroup", "/", "/a/b", "/sys/fs/cgroup/a/b")]
    [InlineData("/sys/fs/cgroup", "/a", "/a/b", "/sys/fs/cgroup/b")]
    [InlineData("/sys/fs/cgroup", "/a", "/a", "/sys/fs/cgroup")]
    [InlineData("/sys/fs/cgroup", "/a", "/ab", null)]
    [InlineData("/sys/fs/cgroup", "/a", "/c", null)]
    [InlineData("/sys/fs/cgroup", "/", "/a/../b", null)]
    [InlineData("/sys/fs/cgroup", "/", "/a (deleted)", null)]
    public void A_cgroup_resolves_under_its_mount_only_when_it_lies_inside(string mount, string root, string path, string? expected) =>
        Assert.Equal(expected, Cgroup2.Resolve(mount, root, path));
}
