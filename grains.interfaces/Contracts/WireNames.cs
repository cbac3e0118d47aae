using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;

namespace DSPex.Orleans.Contracts;

/// <summary>
/// How this release names its types on the wire: exactly as the previous release did. Orleans would write an aliased
/// type by its alias alone, without the assembly, and the previous release (which had no aliases) does not allow such
/// a name for a grain interface inside a call's type; so for one release the aliases are declared (ORLEANS0010 requires
/// them), not written. Silos and clients both call it. A later release may write the aliases once the rolling-upgrade
/// test from the release before it passes (docs/operations.md#upgrading).
/// </summary>
internal static class WireNames
{
    public static IServiceCollection AddDSPexWireNames(this IServiceCollection services)
    {
        // The assemblies' earlier names on the wire (WireAssemblyNames): what the previous release resolves.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITypeConverter, WireAssemblyNames>());
        return services.PostConfigure<TypeManifestOptions>(WriteAsThePreviousRelease);
    }

    public static void WriteAsThePreviousRelease(TypeManifestOptions options)
    {
        var ours = options.WellKnownTypeAliases
            .Where(alias => alias.Value.Namespace?.StartsWith("DSPex.Orleans", StringComparison.Ordinal) == true)
            .ToList();
        foreach (var (alias, _) in ours)
        {
            // Written as Namespace.Name,Assembly again. A peer writing the alias is read by the bare name, which the
            // type allow-list then has to know (necessary, not sufficient: see docs/operations.md#upgrading).
            options.WellKnownTypeAliases.Remove(alias);
            options.AllowedTypes.Add(alias);
        }
    }
}
