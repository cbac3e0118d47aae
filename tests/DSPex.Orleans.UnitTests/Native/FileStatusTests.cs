using DSPex.Orleans.Workers.Native;

namespace DSPex.Orleans.UnitTests.Native;

[Trait("Category", "Unit")]
public sealed class FileStatusTests
{
    [Theory]
    [InlineData(0x81A4u, "regular file", "0644", false)]
    [InlineData(0x41C0u, "directory", "0700", false)]
    [InlineData(0x41FFu, "directory", "0777", true)]
    [InlineData(0x81B4u, "regular file", "0664", true)]
    [InlineData(0xA1FFu, "symbolic link", "0777", true)]
    [InlineData(0x1180u, "FIFO", "0600", false)]
    public void Mode_bits_give_the_type_permissions_and_whether_others_may_write(uint mode, string type, string permissions, bool writableByOthers)
    {
        var status = new FileStatus(1000, mode, 0);

        Assert.Equal(type, status.TypeName);
        Assert.Equal(permissions, status.Permissions);
        Assert.Equal(writableByOthers, status.WritableByOthers);
    }
}
