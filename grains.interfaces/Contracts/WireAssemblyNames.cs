using System.Text.RegularExpressions;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;

namespace DSPex.Orleans.Contracts;

/// <summary>
/// The assembly names our types carry on the wire, fixed apart from the assemblies' own names. The two Orleans-facing
/// assemblies were renamed to their package names (DSPex.Orleans.Abstractions, DSPex.Orleans.Hosting; they were
/// DSPex.Orleans.Grains.Interfaces and DSPex.Orleans.Grains), but the previous release names a type as
/// "Namespace.Name,Assembly" and resolves exactly that (WireNames), so this release writes the earlier names and reads
/// both. Only assembly qualifiers change: a type's namespace and name, its alias and its grain interface id stay as
/// they are. The day the release before a build writes aliases, this goes with WireNames (docs/operations.md#upgrading).
/// </summary>
internal sealed partial class WireAssemblyNames : ITypeConverter
{
    /// <summary>Each assembly's name today and the name the wire keeps for it.</summary>
    internal static readonly IReadOnlyList<(string Current, string OnTheWire)> Renamed =
    [
        ("DSPex.Orleans.Abstractions", "DSPex.Orleans.Grains.Interfaces"),
        ("DSPex.Orleans.Hosting", "DSPex.Orleans.Grains"),
    ];

    public bool TryFormat(Type type, out string formatted)
    {
        var name = RuntimeTypeNameFormatter.Format(type);
        formatted = Replace(name, toWire: true);
        return !ReferenceEquals(formatted, name);
    }

    public bool TryParse(string formatted, out Type type)
    {
        var current = Replace(formatted, toWire: false);
        // Compound names (a call's type) are resolved element by element before they reach here, so what is left is
        // a plain or generic assembly-qualified name, which Type.GetType reads.
        var found = ReferenceEquals(current, formatted) ? null : Type.GetType(current, throwOnError: false);
        type = found!;
        return found is not null;
    }

    /// <summary>
    /// Rewrites the assembly qualifiers in an Orleans type name ("Name,Assembly", also inside "[...]" of generic
    /// arguments and call types); returns the same instance when there is none of ours.
    /// </summary>
    internal static string Replace(string name, bool toWire)
    {
        if (!name.Contains(",DSPex.Orleans.", StringComparison.Ordinal))
        {
            return name;
        }

        return (toWire ? CurrentQualifier() : WireQualifier()).Replace(name, match =>
        {
            var (current, onTheWire) = Renamed.Single(r => (toWire ? r.Current : r.OnTheWire) == match.Groups["assembly"].Value);
            return "," + (toWire ? onTheWire : current);
        });
    }

    // An assembly qualifier ends the name or is followed by the next delimiter of the Orleans type-name grammar.
    [GeneratedRegex(@",(?<assembly>DSPex\.Orleans\.Abstractions|DSPex\.Orleans\.Hosting)(?=$|[\]\),])", RegexOptions.CultureInvariant)]
    private static partial Regex CurrentQualifier();

    [GeneratedRegex(@",(?<assembly>DSPex\.Orleans\.Grains\.Interfaces|DSPex\.Orleans\.Grains)(?=$|[\]\),])", RegexOptions.CultureInvariant)]
    private static partial Regex WireQualifier();
}
