using System.Text.RegularExpressions;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>Checks deploy/docker/Dockerfile and .dockerignore as text: no Docker engine is needed.</summary>
[Trait("Category", "Unit")]
public sealed partial class DockerImageTests
{
    private static readonly IReadOnlyList<string> Instructions = ReadInstructions(RepositoryFiles.Dockerfile);

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var froms = Instructions.Where(i => Keyword(i) == "FROM").ToList();
        Assert.True(froms.Count >= 2, "not a multi-stage build");
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", froms[^1], StringComparison.Ordinal);
        Assert.Contains(Instructions, i => Keyword(i) == "RUN" && i.Contains("dotnet publish silo", StringComparison.Ordinal) && i.Contains("-o /app", StringComparison.Ordinal));
        Assert.Contains(RuntimeStage(), i => Keyword(i) == "ENTRYPOINT" && i.Contains("dspex-silo.dll", StringComparison.Ordinal));
        // `dspex doctor` must be runnable in the pod (docs/operations.md).
        Assert.Contains(Instructions, i => Keyword(i) == "RUN" && i.Contains("dotnet publish client/DSPex.Orleans.Cli", StringComparison.Ordinal) && i.Contains("-o /app/cli", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_image_installs_python3_from_packages_without_pip()
    {
        Assert.Contains(RuntimeStage(), i => Keyword(i) == "RUN" && AptInstallsPython3().IsMatch(i));
        // The bridge is stdlib-only: pip (or python3-pip) in the image would be dead weight and an attack surface.
        Assert.DoesNotContain(Instructions, i => Pip().IsMatch(i));
    }

    [Fact]
    public void Runtime_image_exposes_the_silo_gateway_and_http_ports()
    {
        var exposed = RuntimeStage()
            .Where(i => Keyword(i) == "EXPOSE")
            .SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            .Select(p => p.Split('/')[0])
            .ToHashSet();
        foreach (var port in new[] { "11111", "30000", "8080" })
        {
            Assert.True(exposed.Contains(port), $"EXPOSE lacks {port}");
        }
    }

    [Fact]
    public void Runtime_image_runs_as_a_non_root_user()
    {
        var user = RuntimeStage().LastOrDefault(i => Keyword(i) == "USER");
        Assert.NotNull(user);
        var name = user.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Split(':')[0];
        Assert.DoesNotContain(name, new[] { "root", "0" });
    }

    [Fact]
    public void Dockerignore_keeps_build_output_out_of_the_context()
    {
        var patterns = File.ReadAllLines(RepositoryFiles.DockerIgnore)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToHashSet();
        Assert.Contains("**/bin", patterns);
        Assert.Contains("**/obj", patterns);
    }

    /// <summary>Instructions after the last FROM, i.e. what ends up in the image.</summary>
    private static IEnumerable<string> RuntimeStage() =>
        Instructions.Skip(Instructions.ToList().FindLastIndex(i => Keyword(i) == "FROM"));

    private static string Keyword(string instruction) => instruction.Split(' ', 2)[0].ToUpperInvariant();

    /// <summary>Dockerfile instructions with line continuations joined and comment lines dropped.</summary>
    private static IReadOnlyList<string> ReadInstructions(string path)
    {
        var instructions = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue; // comments may also sit between continuation lines
            }

            var continues = line.EndsWith('\\');
            current += " " + (continues ? line[..^1] : line).Trim();
            if (!continues)
            {
                instructions.Add(Whitespace().Replace(current.Trim(), " "));
                current = "";
            }
        }

        if (current.Trim().Length > 0)
        {
            instructions.Add(Whitespace().Replace(current.Trim(), " "));
        }

        return instructions;
    }

    [GeneratedRegex(@"apt-get\s+install\b[^&;|]*\spython3(\s|$)")]
    private static partial Regex AptInstallsPython3();

    [GeneratedRegex(@"\bpip[0-9.]*\b|ensurepip|get-pip")]
    private static partial Regex Pip();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
