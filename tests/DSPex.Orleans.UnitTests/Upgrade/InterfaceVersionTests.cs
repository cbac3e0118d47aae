using System.Reflection;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.UnitTests.Upgrade;

/// <summary>
/// Every grain interface stays at version 0 when methods are added (docs/operations.md#grain-interface-versions): a
/// [Version] above 0 makes every call of the interface from the new release incompatible with the older release's
/// activations, which Orleans deactivates and places again, and a stateless worker or a silo-pinned grain lands on the
/// same old silo again. A bump is a change of that policy, made here on purpose, never by the way.
/// </summary>
[Trait("Category", "Unit")]
public sealed class InterfaceVersionTests
{
    [Fact]
    public void No_grain_interface_carries_a_version()
    {
        var interfaces = typeof(ExecuteRequest).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t) && t.Namespace?.StartsWith("DSPex.", StringComparison.Ordinal) == true)
            .ToList();

        Assert.Contains(typeof(Grains.ISessionGrain), interfaces);
        Assert.Contains(typeof(Grains.IRouterGrain), interfaces);
        Assert.Contains(typeof(Grains.IPoolGrain), interfaces);
        Assert.All(interfaces, i => Assert.Null(i.GetCustomAttribute<global::Orleans.CodeGeneration.VersionAttribute>()));
    }
}
