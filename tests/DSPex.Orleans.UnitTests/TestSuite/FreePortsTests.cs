using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.UnitTests.TestSuite;

/// <summary>
/// Tests take their ports from FreePorts; a test that starts two silos takes four. The kernel draws a closed port at
/// random, so repeats came by the birthday rule: a silo could get its gateway's port and fail to start in CI.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FreePortsTests
{
    [Fact]
    public void No_port_is_handed_out_twice_in_one_test_process()
    {
        // 2,000 draws from the ~28,000 ephemeral ports repeat one almost surely when drawn independently.
        var ports = Enumerable.Range(0, 2_000).Select(_ => FreePorts.Next()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
