using System.Text.RegularExpressions;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.UnitTests.Docs;
using YamlDotNet.RepresentationModel;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>
/// The docs' in-pod doctor command (`kubectl exec ... dotnet /app/cli/dspex.dll doctor ... --gateway`) can pass its
/// silo check against the shipped manifest: it reaches the pod's gateway port, speaks the TLS the pod's gateway speaks
/// with the pod's mounted files, names the cluster the pod's labels name (not the CLI's default), and brings an API key
/// of a credential the manifest grants the `stats` scope, kept off every command line (the pod holds only hashes).
/// Every option it uses is one the CLI defines. Without a cluster: the command is read from the docs, the pod from deploy/.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class InPodDoctorCommandTests
{
    public static TheoryData<string, int> DoctorCommands()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in InPodDoctorBlocks())
        {
            data.Add(block.Page, block.Line);
        }

        return data;
    }

    [Fact]
    public void Operations_and_the_adapter_guide_show_the_in_pod_doctor_command()
    {
        var pages = InPodDoctorBlocks().Select(b => b.Page).ToHashSet();
        Assert.Contains("docs/operations.md", pages);
        Assert.Contains("docs/writing-adapters.md", pages);
    }

    [Theory]
    [MemberData(nameof(DoctorCommands))]
    public void The_in_pod_doctor_command_can_pass_its_silo_check_against_the_shipped_manifest(string page, int line)
    {
        var command = Command(page, line);
        var container = SiloContainer();
        var where = $"{page}:{line}";

        // The gateway: this pod's own, on loopback.
        Assert.Equal($"127.0.0.1:{Env(container, "DSPEX_DSPex__Silo__GatewayPort")}", Option(command, "--gateway"));

        // TLS: the pod's gateway speaks it, so the CLI must trust the pod's CA and may present the pod's certificate.
        if (Env(container, "DSPEX_DSPex__Security__Tls__CaFile") is { } ca)
        {
            Assert.True(Option(command, "--tls-ca") == ca, $"{where}: the pod's gateway speaks TLS (CA {ca}); the command passes --tls-ca {Option(command, "--tls-ca") ?? "(nothing)"}");
            Assert.Equal(Env(container, "DSPEX_DSPex__Security__Tls__CertificateFile"), Option(command, "--tls-cert"));
            Assert.Equal(Env(container, "DSPEX_DSPex__Security__Tls__KeyFile"), Option(command, "--tls-key"));
        }

        // The cluster: the silo's ids come from the pod's labels through these variables; the CLI's defaults differ.
        foreach (var (setting, option) in new[] { ("DSPEX_DSPex__Silo__ClusterId", "--cluster-id"), ("DSPEX_DSPex__Silo__ServiceId", "--service-id") })
        {
            Assert.NotNull(EnvEntry(container, setting));
            Assert.True(Option(command, option) == "$" + setting, $"{where}: {option} must be the pod's ${setting} (the silo's id from its labels), not {Option(command, option) ?? "the CLI's default"}");
        }

        Assert.True(InPodScript().Match(command) is { Success: true } script && script.Value.Contains("$DSPEX_DSPex__Silo__ClusterId", StringComparison.Ordinal),
            $"{where}: the pod's variables expand only in a script run in the pod (kubectl exec ... -- sh -c '...'), not in the reader's shell");

        // The key: the pod holds only hashes, so it comes from the reader, on standard input, of a credential with `stats`.
        var statsCredentials = container.Sequence("env").Select(e => e.Scalar("name") ?? "")
            .Select(name => ScopeVariable().Match(name)).Where(m => m.Success)
            .Where(m => Env(container, m.Value) == "stats").Select(m => m.Groups["credential"].Value).ToList();
        Assert.NotEmpty(statsCredentials);
        Assert.DoesNotContain("--api-key", command, StringComparison.Ordinal);
        Assert.True(command.Contains("read -r DSPEX_API_KEY", StringComparison.Ordinal) && command.Contains("export DSPEX_API_KEY", StringComparison.Ordinal) && command.Contains("kubectl -n dspex exec -i ", StringComparison.Ordinal),
            $"{where}: the API key must reach the CLI as DSPEX_API_KEY read from standard input (kubectl exec -i), never on a command line");
        Assert.True(statsCredentials.Any(c => command.Contains($"<<<\"${c.ToUpperInvariant()}_KEY\"", StringComparison.Ordinal)),
            $"{where}: the key given must be one with the stats scope ({string.Join(", ", statsCredentials.Select(c => $"${c.ToUpperInvariant()}_KEY"))}, security.md)");

        // Every option the command uses is one the CLI defines (a rename would leave the docs behind).
        var cli = string.Concat(Directory.EnumerateFiles(Path.Combine(RepositoryFiles.Root, "client", "DSPex.Orleans.Cli"), "*.cs").Select(File.ReadAllText));
        foreach (Match option in OptionName().Matches(command[command.IndexOf("dspex.dll doctor", StringComparison.Ordinal)..]))
        {
            Assert.True(cli.Contains($"\"{option.Value}\"", StringComparison.Ordinal), $"{where}: the CLI has no option {option.Value}");
        }
    }

    private static IEnumerable<DocBlock> InPodDoctorBlocks() =>
        DocsCompileTests.Blocks().Where(b => b.IsShell && b.Code.Contains("/app/cli/dspex.dll doctor", StringComparison.Ordinal));

    /// <summary>The block's command as one line (continuations joined).</summary>
    private static string Command(string page, int line) =>
        InPodDoctorBlocks().Single(b => b.Page == page && b.Line == line).Code.Replace("\\\n", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>An option's value as the shell passes it (one word; surrounding double quotes dropped), or null.</summary>
    private static string? Option(string command, string name)
    {
        var match = Regex.Match(command, $@"(?<=\s){Regex.Escape(name)}\s+(?<value>""[^""]*""|[^\s']+)");
        return match.Success ? match.Groups["value"].Value.Trim('"') : null;
    }

    private static YamlNode SiloContainer() =>
        RepositoryFiles.Documents().Single(d => d.Kind == "Deployment" && d.Name == "dspex-silo")
            .Root.Sequence("spec.template.spec.containers").Single(c => c.Scalar("image")?.Contains("dspex-silo", StringComparison.Ordinal) == true);

    private static YamlNode? EnvEntry(YamlNode container, string name) =>
        container.Sequence("env").SingleOrDefault(e => e.Scalar("name") == name);

    private static string? Env(YamlNode container, string name) => EnvEntry(container, name)?.Scalar("value");

    [GeneratedRegex(@"^DSPEX_DSPex__Security__ApiKeys__(?<credential>[^_]+)__Scopes__\d+$")]
    private static partial Regex ScopeVariable();

    [GeneratedRegex(@"-- sh -c '[^']*'")]
    private static partial Regex InPodScript();

    [GeneratedRegex(@"(?<=\s)--[a-z][a-z-]*")]
    private static partial Regex OptionName();
}
