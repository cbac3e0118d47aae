using System.Reflection;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Metadata;
using Orleans.Serialization.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Invocation;
using Orleans.Serialization.TypeSystem;

namespace DSPex.Orleans.UnitTests.Upgrade;

/// <summary>
/// The wire identity of everything that crosses Orleans, pinned so a release can run beside the one before it
/// (docs/operations.md#upgrading). Orleans writes a type by its alias when it has one, else by "Namespace.Name,Assembly";
/// a call by (interface, method id), where the method id is the method's alias when it has one, else a hash of its
/// signature. The previous release had no aliases, so the aliases here are what it can still read: a type's full name
/// (it resolves that by name in its loaded assemblies) and, for its methods, the signature hash it knows. The
/// rolling-upgrade test (Upgrade/RollingUpgradeTests) shows it with the previous release's build.
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
        Assert.Equal(9, interfaces.Count); // 9 since IChunkSource (upload streams)
        Assert.Empty(interfaces.Where(i => !AliasesOf(i).SequenceEqual([i.FullName!])).Select(i => i.FullName));
        var methods = interfaces.SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        Assert.Empty(methods.Where(m => AliasesOf(m).Length != 1).Select(m => $"{m.DeclaringType!.Name}.{m.Name}"));
    }

    /// <summary>
    /// The method ids of the previous release (a06a362, before aliases): Orleans derived each from the method's
    /// signature. Those methods keep them as their aliases for good, whatever their signature becomes, or the previous
    /// release could not read their calls.
    /// </summary>
    private static readonly Dictionary<string, string> PreviousReleaseMethodIds = new()
    {
        ["IBenchmarkFloorGrain.ExecuteAsync"] = "E63B02AF",
        ["IPoolGrain.ExecuteAsync"] = "9539C533",
        ["IPoolGrain.ExecuteWithAffinityAsync"] = "FE4D5642",
        ["IPoolGrain.GetAllStatsAsync"] = "4DD66300",
        ["IPoolGrain.GetCallStatesAsync"] = "35C1EA08",
        ["IPoolGrain.GetOffersAsync"] = "B7F4BBC1",
        ["IPoolGrain.GetStatsAsync"] = "D1CF5A1D",
        ["IReaperGrain.EnsureScheduledAsync"] = "E9B88364",
        ["IReaperGrain.SweepAllAsync"] = "8D7A0A27",
        ["IRouterGrain.ExecuteAsync"] = "A3DD8E4B",
        ["IRouterGrain.ExecuteInSessionAsync"] = "F437FB9A",
        ["IRouterGrain.ExecuteProgramAsync"] = "D6A67ACD",
        ["IRouterGrain.GetCallStatesAsync"] = "8C5762CB",
        ["IRouterGrain.GetClusterStatsAsync"] = "0645BCB6",
        ["IRouterGrain.StreamAsync"] = "61BE5585",
        ["ISessionGrain.CreateAsync"] = "6C0A7336",
        ["ISessionGrain.CreateProgramAsync"] = "6B40421B",
        ["ISessionGrain.DeleteAsync"] = "522A4A41",
        ["ISessionGrain.DeleteProgramAsync"] = "FFA74E47",
        ["ISessionGrain.DeleteVariableAsync"] = "51ED6EDE",
        ["ISessionGrain.ExecuteAsync"] = "826F597D",
        ["ISessionGrain.ExecuteProgramAsync"] = "7025B14B",
        ["ISessionGrain.GetAsync"] = "C92EFCB2",
        ["ISessionGrain.GetVariablesAsync"] = "359234F5",
        ["ISessionGrain.SetVariableAsync"] = "281877D1",
        ["ISessionGrain.TouchAsync"] = "CFD1DD41",
        ["ISiloReaperGrain.SweepAsync"] = "ABBCAB72",
        ["IWorkerGrain.EnsureStartedAsync"] = "D9999D47",
        ["IWorkerGrain.GetInfoAsync"] = "87D849C1",
        ["IWorkerGrain.RecycleAsync"] = "A7213FBD",
        ["IDSPexToolHost.CallToolAsync"] = "D7CB1B29",
        ["IDSPexToolHost.PingAsync"] = "013F4C1D",
    };

    [Fact]
    public void Every_method_of_the_previous_release_keeps_its_id()
    {
        var aliases = GrainInterfaces()
            .SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .ToDictionary(m => $"{m.DeclaringType!.Name}.{m.Name}", m => AliasesOf(m).Single());
        foreach (var (method, id) in PreviousReleaseMethodIds)
        {
            Assert.True(aliases.TryGetValue(method, out var alias), $"{method} is gone: a release may not remove a grain method");
            Assert.Equal(id, alias);
        }
    }

    /// <summary>
    /// A call is written with the method's alias, never with a second id: Orleans gives a call whose alias differs from
    /// its signature hash both ids and writes a non-hexadecimal alias, else the lowest hexadecimal one. So a method of
    /// the previous release whose signature changed (alias and hash both hexadecimal) could be written with an id that
    /// release does not know; this fails instead. A new method takes a name-like alias (docs/operations.md#upgrading).
    /// </summary>
    [Fact]
    public void Every_call_is_written_with_its_methods_alias()
    {
        var converter = Serializer().GetRequiredService<TypeConverter>();
        var invokables = typeof(ExecuteRequest).Assembly.GetTypes()
            .Select(t => (Type: t, Ids: t.GetCustomAttributes<CompoundTypeAliasAttribute>().Where(a => Equals(a.Components[0], "inv")).ToList()))
            .Where(x => x.Ids.Count > 0)
            .ToList();
        Assert.True(invokables.Count >= PreviousReleaseMethodIds.Count, $"found only {invokables.Count} generated call types");

        foreach (var (type, ids) in invokables)
        {
            var grainInterface = (Type)ids[0].Components[^2];
            var methodName = ((IInvokable)Activator.CreateInstance(type)!).GetMethodName();
            var alias = AliasesOf(grainInterface.GetMethods().Single(m => m.Name == methodName)).Single();
            Assert.EndsWith($",\"{alias}\")", converter.Format(type), StringComparison.Ordinal);
        }
    }

    /// <summary>This release writes every type exactly as the previous release did (Contracts.WireNames).</summary>
    [Fact]
    public void This_release_writes_types_and_calls_as_the_previous_release_did()
    {
        var converter = Serializer().GetRequiredService<TypeConverter>();
        Assert.Equal("DSPex.Orleans.Contracts.ExecuteResponse,DSPex.Orleans.Grains.Interfaces", converter.Format(typeof(ExecuteResponse)));
        var call = CallTypes().Single(t => t.Name == "Invokable_IRouterGrain_GrainReference_A3DD8E4B");
        var written = converter.Format(call);
        Assert.Contains("[DSPex.Orleans.Grains.IRouterGrain,DSPex.Orleans.Grains.Interfaces]", written, StringComparison.Ordinal);
        Assert.EndsWith(",\"A3DD8E4B\")", written, StringComparison.Ordinal);
    }

    /// <summary>
    /// The previous release's view: the same Orleans without our aliases (it had none). It reads every type and call
    /// this release writes as the same type. (Its assemblies had the names this release writes; in one process those
    /// names are reached through the read side of WireAssemblyNames. Upgrade/RollingUpgradeTests runs the real one.)
    /// </summary>
    [Fact]
    public void A_serializer_without_the_aliases_reads_what_this_release_writes()
    {
        var previous = Serializer(o =>
        {
            foreach (var alias in o.WellKnownTypeAliases.Where(a => a.Value.Namespace?.StartsWith("DSPex.", StringComparison.Ordinal) == true).ToList())
            {
                o.WellKnownTypeAliases.Remove(alias.Key);
                // It allowed its types under its own assembly names, which are the earlier names here.
                o.AllowedTypes.Add(alias.Value.FullName!);
            }
        }, earlierAssemblyNames: true).GetRequiredService<TypeConverter>();
        AssertReads(Serializer().GetRequiredService<TypeConverter>(), previous);
    }

    /// <summary>
    /// The assemblies took their package names (DSPex.Orleans.Abstractions, DSPex.Orleans.Hosting); the wire keeps the
    /// names the previous release resolves, for every type of either assembly and inside every call's type.
    /// </summary>
    [Fact]
    public void Types_are_written_with_the_assemblies_earlier_names_and_those_are_read_back()
    {
        Assert.Equal("DSPex.Orleans.Abstractions", typeof(ExecuteResponse).Assembly.GetName().Name);
        Assert.Equal("DSPex.Orleans.Hosting", typeof(DSPex.Orleans.Hosting.DSPexSiloBuilderExtensions).Assembly.GetName().Name);
        var converter = Serializer().GetRequiredService<TypeConverter>();
        foreach (var type in SerializedTypes().Where(t => t.IsPublic).Concat(CallTypes()))
        {
            var written = converter.Format(type);
            Assert.DoesNotContain(",DSPex.Orleans.Abstractions", written, StringComparison.Ordinal);
            Assert.DoesNotContain(",DSPex.Orleans.Hosting", written, StringComparison.Ordinal);
            Assert.True(converter.TryParse(written, out var read), $"cannot read {written}");
            Assert.Equal(type, read);
        }

        var hostingType = SerializedTypes().First(t => t.Assembly == typeof(DSPex.Orleans.Hosting.DSPexSiloBuilderExtensions).Assembly);
        Assert.True(new WireAssemblyNames().TryFormat(hostingType, out var hostingName));
        Assert.Equal($"{hostingType.FullName},DSPex.Orleans.Grains", hostingName);
        Assert.True(new WireAssemblyNames().TryParse(hostingName, out var hostingRead));
        Assert.Equal(hostingType, hostingRead);
    }

    [Theory]
    [InlineData("DSPex.Orleans.Contracts.ExecuteResponse,DSPex.Orleans.Abstractions", "DSPex.Orleans.Contracts.ExecuteResponse,DSPex.Orleans.Grains.Interfaces")]
    [InlineData("DSPex.Orleans.Placement.X,DSPex.Orleans.Hosting", "DSPex.Orleans.Placement.X,DSPex.Orleans.Grains")]
    [InlineData("List`1[[DSPex.Orleans.Contracts.PoolStats,DSPex.Orleans.Abstractions]],System.Private.CoreLib", "List`1[[DSPex.Orleans.Contracts.PoolStats,DSPex.Orleans.Grains.Interfaces]],System.Private.CoreLib")]
    [InlineData("DSPex.Orleans.Client.X,DSPex.Orleans.Client", "DSPex.Orleans.Client.X,DSPex.Orleans.Client")]
    [InlineData("DSPex.Orleans.Hosting.X,DSPex.Orleans.HostingExtra", "DSPex.Orleans.Hosting.X,DSPex.Orleans.HostingExtra")]
    [InlineData("System.String", "System.String")]
    public void Only_the_renamed_assemblies_qualifiers_are_rewritten_both_ways(string current, string onTheWire)
    {
        Assert.Equal(onTheWire, WireAssemblyNames.Replace(current, toWire: true));
        Assert.Equal(current, WireAssemblyNames.Replace(onTheWire, toWire: false));
    }

    /// <summary>
    /// A peer that writes the aliases (bare names): this release parses them as the same types. Necessary for a later
    /// release to write them, not sufficient (docs/operations.md#upgrading).
    /// </summary>
    [Fact]
    public void This_release_parses_the_alias_form_of_every_type_and_call()
    {
        var next = Serializer(_ => { }).GetRequiredService<TypeConverter>();
        Assert.Equal("DSPex.Orleans.Contracts.ExecuteResponse", next.Format(typeof(ExecuteResponse)));
        AssertReads(next, Serializer().GetRequiredService<TypeConverter>());
    }

    private static void AssertReads(TypeConverter writer, TypeConverter reader)
    {
        foreach (var type in SerializedTypes().Where(t => t.IsPublic).Concat(CallTypes()))
        {
            var text = writer.Format(type);
            Assert.True(reader.TryParse(text, out var read), $"cannot read {text}");
            Assert.Equal(type, read);
        }
    }

    private static IEnumerable<Type> CallTypes() => typeof(ExecuteRequest).Assembly.GetTypes()
        .Where(t => t.GetCustomAttributes<CompoundTypeAliasAttribute>().Any(a => Equals(a.Components[0], "inv")));

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

    /// <summary>The serializer as silos and clients configure it, or with <paramref name="instead"/> in place of WireNames.</summary>
    private static ServiceProvider Serializer(Action<TypeManifestOptions>? instead = null, bool earlierAssemblyNames = false)
    {
        var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ExecuteRequest).Assembly));
        _ = instead is null ? services.AddDSPexWireNames() : services.PostConfigure(instead);
        if (earlierAssemblyNames)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ITypeConverter, WireAssemblyNames>());
        }

        return services.BuildServiceProvider();
    }
}
