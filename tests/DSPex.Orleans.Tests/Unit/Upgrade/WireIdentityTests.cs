using System.Reflection;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization;
using Orleans.Serialization.Invocation;
using Orleans.Serialization.TypeSystem;

namespace DSPex.Orleans.Tests.Unit.Upgrade;

/// <summary>
/// The wire identity of everything that crosses Orleans, pinned so a release can run beside the one before it
/// (docs/operations.md#upgrading). Orleans writes a type by its alias when it has one, else by "Namespace.Name,Assembly";
/// a call by (interface, method id), where the method id is the method's alias when it has one, else a hash of its
/// signature. The first release had no aliases, so the aliases here are exactly what it can still read: a type's full
/// name (it resolves that by name in its loaded assemblies) and a method's signature hash (one id per method, the one
/// it knows). The rolling-upgrade test (EndToEnd/Upgrade) shows it with the previous release's build.
/// </summary>
[Trait("Category", "Unit")]
public sealed class WireIdentityTests
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(ExecuteRequest).Assembly,
        typeof(DSPex.Orleans.Hosting.DSPexSiloBuilderExtensions).Assembly,
    ];

    /// <summary>Our own types (the generated call types in OrleansCodeGen.* are named by the generator).</summary>
    private static IEnumerable<Type> AllTypes() =>
        Assemblies.SelectMany(a => a.GetTypes()).Where(t => t.Namespace?.StartsWith("DSPex.", StringComparison.Ordinal) == true);

    private static IEnumerable<Type> SerializedTypes() =>
        AllTypes().Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null);

    private static IEnumerable<Type> GrainInterfaces() =>
        AllTypes().Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t));

    private static string[] AliasesOf(MemberInfo member) => [.. member.GetCustomAttributes<AliasAttribute>().Select(a => a.Alias)];

    [Fact]
    public void Every_serialized_type_is_aliased_by_its_full_name()
    {
        var types = SerializedTypes().ToList();
        Assert.True(types.Count >= 24, $"found only {types.Count} serialized types");
        var wrong = types.Where(t => !AliasesOf(t).SequenceEqual([t.FullName!])).Select(t => $"{t.FullName}: [{string.Join(", ", AliasesOf(t))}]");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_grain_interface_is_aliased_by_its_full_name_and_every_method_has_one_alias()
    {
        var interfaces = GrainInterfaces().ToList();
        Assert.Equal(8, interfaces.Count);
        Assert.Empty(interfaces.Where(i => !AliasesOf(i).SequenceEqual([i.FullName!])).Select(i => i.FullName));
        var methods = interfaces.SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        Assert.Empty(methods.Where(m => AliasesOf(m).Length != 1).Select(m => $"{m.DeclaringType!.Name}.{m.Name}"));
    }

    /// <summary>
    /// A method alias that differs from the signature hash gives the call a second id, and Orleans writes the alias
    /// (it prefers a non-numeric one, else the lowest): the previous release, which knows only the hash, could not
    /// read the call. One id per generated call type means each alias is the hash itself.
    /// </summary>
    [Fact]
    public void Every_call_has_exactly_the_one_method_id_the_previous_release_knows()
    {
        var invokables = typeof(ExecuteRequest).Assembly.GetTypes()
            .Select(t => (Type: t, Ids: t.GetCustomAttributes<CompoundTypeAliasAttribute>().Where(a => Equals(a.Components[0], "inv")).ToList()))
            .Where(x => x.Ids.Count > 0)
            .ToList();
        Assert.True(invokables.Count >= 32, $"found only {invokables.Count} generated call types");
        Assert.Empty(invokables.Where(x => x.Ids.Count != 1).Select(x => x.Type.Name));

        foreach (var (type, ids) in invokables)
        {
            var grainInterface = (Type)ids[0].Components[^2];
            var methodName = ((IInvokable)Activator.CreateInstance(type)!).GetMethodName();
            var method = grainInterface.GetMethods().Single(m => m.Name == methodName);
            Assert.Equal(AliasesOf(method).Single(), (string)ids[0].Components[^1]);
        }
    }

    [Fact]
    public void The_serializer_writes_a_type_by_a_name_it_and_the_previous_release_both_resolve()
    {
        var converter = Serializer().GetRequiredService<TypeConverter>();

        // Written now: the alias, which is the namespace-qualified name.
        Assert.Equal("DSPex.Orleans.Contracts.ExecuteResponse", converter.Format(typeof(ExecuteResponse)));
        Assert.Equal(typeof(ExecuteResponse), converter.Parse("DSPex.Orleans.Contracts.ExecuteResponse"));

        // Written by the previous release: the assembly-qualified name, still read as the same type.
        Assert.Equal(typeof(ExecuteResponse), converter.Parse("DSPex.Orleans.Contracts.ExecuteResponse,DSPex.Orleans.Grains.Interfaces"));

        // A plain resolver without alias tables (what the previous release has for these names) finds the alias too.
        Assert.True(new CachedTypeResolver().TryResolveType("DSPex.Orleans.Contracts.ExecuteResponse", out var resolved));
        Assert.Equal(typeof(ExecuteResponse), resolved);
    }

    [Fact]
    public void Grain_interface_types_are_the_names_they_had_without_aliases()
    {
        var services = Serializer();
        var resolver = new GrainInterfaceTypeResolver([], services.GetRequiredService<TypeConverter>());
        foreach (var grainInterface in GrainInterfaces())
        {
            Assert.Equal(grainInterface.FullName, resolver.GetGrainInterfaceType(grainInterface).ToString());
        }

        Assert.Equal("DSPex.Orleans.Grains.IRouterGrain", resolver.GetGrainInterfaceType(typeof(IRouterGrain)).ToString());
    }

    private static ServiceProvider Serializer() =>
        new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ExecuteRequest).Assembly)).BuildServiceProvider();
}
