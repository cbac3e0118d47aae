using DSPex.Orleans.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DSPex.Orleans.UnitTests.Docs;

/// <summary>
/// Every C# block in README.md and docs/ compiles as written, against this build's assemblies (the DSPex libraries,
/// Orleans, Microsoft.Extensions, ASP.NET Core's shared framework), with only the usings a new console project has
/// implicitly (ImplicitUsings): a block names its own DSPex namespaces, as a reader copying it must. A block that is
/// deliberately partial says so in its fence (```csharp fragment) and is not compiled. So a doc change that breaks a
/// snippet fails CI, and a snippet cannot leave out the usings a reader needs.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DocsCompileTests
{
    /// <summary>What Microsoft.NET.Sdk's ImplicitUsings gives a console project: all a reader's project has unasked.</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<string, int> CompiledBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in Blocks().Where(b => b.IsCSharp && !b.IsFragment))
        {
            data.Add(block.Page, block.Line);
        }

        return data;
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_each_is_compiled_or_marked_a_fragment()
    {
        var blocks = Blocks().Where(b => b.IsCSharp).ToList();
        Assert.True(blocks.Count(b => !b.IsFragment) >= 4, $"only {blocks.Count(b => !b.IsFragment)} compiled C# blocks: the extractor lost them");
        // Every C# fence says csharp (not cs, c#, C#): one spelling the extractor and readers' highlighters agree on.
        var misspelled = Blocks().Where(b => b.Language is "cs" or "c#" or "C#" or "dotnet").Select(b => $"{b.Page}:{b.Line}").ToList();
        Assert.True(misspelled.Count == 0, $"C# blocks fenced other than ```csharp: {string.Join(", ", misspelled)}");
    }

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void A_csharp_block_compiles_as_written(string page, int line)
    {
        var block = Blocks().Single(b => b.Page == page && b.Line == line);
        var tree = CSharpSyntaxTree.ParseText(block.Code, new CSharpParseOptions(LanguageVersion.Latest), path: $"{page}:{line}");
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Latest), path: "ImplicitUsings.cs");
        var hasStatements = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            $"Doc_{Path.GetFileNameWithoutExtension(page)}_{line}",
            [tree, usings],
            References.Value,
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0,
            $"the C# block at {page}:{line} does not compile (complete it with its usings, or fence it ```csharp fragment):\n" +
            string.Join("\n", errors.Select(e => $"  line {line + e.Location.GetLineSpan().StartLinePosition.Line + 1}: {e.Id} {e.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")));
    }

    /// <summary>The fenced blocks of README.md and docs/**/*.md (<see cref="DocBlocks"/>, which the shell-block tests read too).</summary>
    internal static IReadOnlyList<DocBlock> Blocks() => DocBlocks.All();

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        // This build's output first (its versions of the DSPex, Orleans and Microsoft.Extensions assemblies), then the
        // shared frameworks a reader's application runs on: Microsoft.NETCore.App and Microsoft.AspNetCore.App.
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var core = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var version = Path.GetFileName(core);
        var shared = Path.GetDirectoryName(Path.GetDirectoryName(core))!;
        var aspNet = Directory.Exists(Path.Combine(shared, "Microsoft.AspNetCore.App"))
            ? Directory.GetDirectories(Path.Combine(shared, "Microsoft.AspNetCore.App")).Order(StringComparer.Ordinal)
                .LastOrDefault(d => Path.GetFileName(d).Split('.')[0] == version.Split('.')[0])
            : null;
        foreach (var folder in new[] { AppContext.BaseDirectory, core, aspNet }.OfType<string>())
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.dll"))
            {
                if (IsAssembly(file))
                {
                    byName.TryAdd(Path.GetFileName(file), file);
                }
            }
        }

        return [.. byName.Values.Select(file => MetadataReference.CreateFromFile(file))];
    }

    private static bool IsAssembly(string file)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(file);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
