using System.Text.Json;
using DSPex.Orleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DSPex.Orleans.Tests.EndToEnd;

/// <summary>
/// What we ship, consumed as a user consumes it: samples/PackageConsumer, copied out of the repository and built against
/// a folder feed of our packages (plus the registry for Orleans) with no project reference, hosts a silo with
/// DSPex.Orleans.Hosting (its Python bridge coming from the package) and calls it through the gateway with
/// DSPex.Orleans.Client. The packages themselves carry their metadata, symbols, XML docs and the bridge.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PackageConsumptionTests(PackedPackages packages, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    [Fact]
    public async Task The_packages_carry_license_readme_repository_commit_symbols_xml_docs_and_the_bridge()
    {
        foreach (var (id, _) in PackedPackages.Shipped)
        {
            var nuspec = packages.Nuspec(id);
            string? Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");

            Assert.Equal(id, Field("id"));
            Assert.Equal(packages.Version, Field("version"));
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id} has no description");
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
            Assert.StartsWith("https://", repository.Attribute("url")?.Value);
            Assert.Equal(repository.Attribute("url")?.Value, Field("projectUrl"));
            var entries = packages.Entries(id);
            Assert.Contains("README.md", entries);
            Assert.Single(entries, e => e.StartsWith("lib/net10.0/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal));
            Assert.Single(entries, e => e.StartsWith("lib/net10.0/", StringComparison.Ordinal) && e.EndsWith(".xml", StringComparison.Ordinal));
            Assert.True(File.Exists(packages.SymbolPackage(id)), $"no symbol package for {id}");
        }

        // The client and the hosting package share one contracts package, at the same version.
        foreach (var id in new[] { "DSPex.Orleans.Client", "DSPex.Orleans.Hosting" })
        {
            var dependency = packages.Nuspec(id).Descendants().Single(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "DSPex.Orleans.Abstractions");
            Assert.Equal(packages.Version, dependency.Attribute("version")?.Value);
        }

        // The hosting package brings the worker core, at the same version; the core brings no Orleans package.
        var core = packages.Nuspec("DSPex.Orleans.Hosting").Descendants().Single(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "DSPex.Orleans.Workers");
        Assert.Equal(packages.Version, core.Attribute("version")?.Value);
        Assert.DoesNotContain(packages.Nuspec("DSPex.Orleans.Workers").Descendants().Where(e => e.Name.LocalName == "dependency"),
            e => e.Attribute("id")?.Value.Contains("Orleans", StringComparison.Ordinal) == true);

        // The hosting package holds the SDK's files (the bridge, the dspex package, pyproject.toml and its stdlib build
        // backend, so `pip install` of python/ works offline) and no others (no build debris, no bytecode), and the
        // build file that copies them to the consumer's output.
        var hosting = packages.Entries("DSPex.Orleans.Hosting");
        Assert.Contains("buildTransitive/DSPex.Orleans.Hosting.targets", hosting);
        var sdkFiles = (await HostingPackagePythonFilesTests.TrackedSdkFilesAsync()).Select(f => "python/" + f).ToList();
        Assert.Contains("python/dspex_bridge.py", sdkFiles);
        Assert.Contains("python/dspex_build_backend.py", sdkFiles);
        Assert.Equal(sdkFiles, hosting.Where(e => e.StartsWith("python/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(hosting, e => e.StartsWith("content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_application_built_from_the_packages_alone_hosts_a_silo_and_calls_it_with_the_client()
    {
        var work = Directory.CreateTempSubdirectory("dspex-package-consumer-").FullName;
        try
        {
            var app = Path.Combine(work, "app");
            CopySample(Path.Combine(Repository.Root, "samples", "PackageConsumer"), app);
            Assert.DoesNotContain("ProjectReference", File.ReadAllText(Path.Combine(app, "PackageConsumer.csproj")), StringComparison.Ordinal);
            var cache = Path.Combine(work, "packages");
            File.WriteAllText(Path.Combine(app, "NuGet.config"), NuGetConfig(packages.Directory, cache));

            var (buildExit, buildOut, buildErr) = await DotnetProcess.RunAsync(app, TestBounds.Start,
                "build", "-c", "Release", $"-p:DSPexVersion={packages.Version}", "-nodeReuse:false", "-p:UseSharedCompilation=false");
            Assert.True(buildExit == 0, $"the sample did not build ({buildExit}):\n{buildOut}\n{buildErr}");
            // Restored from our feed into this test's cache: not an older build some other cache held under the version.
            Assert.True(Directory.Exists(Path.Combine(cache, "dspex.orleans.hosting", packages.Version.ToLowerInvariant())), "the hosting package did not come from the test's feed");

            var bin = Path.Combine(app, "bin", "Release", "net10.0");
            var bridge = Path.Combine(bin, "Python", "dspex_bridge.py");
            Assert.True(File.Exists(bridge), "the package's build file did not copy the bridge to the application's output");
            Assert.True(File.Exists(Path.Combine(bin, "Python", "dspex", "protocol.json")));

            var (exit, stdout, stderr) = await DotnetProcess.RunAsync(app, TestBounds.Start,
                Path.Combine(bin, "PackageConsumer.dll"), FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
            output.WriteLine(stdout);
            Assert.True(exit == 0, $"the sample failed ({exit}):\n{stdout}\n{stderr}");

            var result = JsonDocument.Parse(stdout.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
            Assert.Equal("hi", result.GetProperty("echo").GetProperty("text").GetString());
            Assert.Equal("Hello, packages", result.GetProperty("greet").GetProperty("greeting").GetString());
            Assert.Equal(1, result.GetProperty("workers").GetInt32());
            Assert.Equal(bridge, result.GetProperty("bridge").GetString());
            // The sample's adapter came through its DSPexAdapter item (greet answered from it), and AddDSPexHealthChecks reports the pool.
            Assert.True(File.Exists(Path.Combine(bin, "adapters", "sample_adapter.py")), "the package's build file did not copy the DSPexAdapter items to adapters/");
            Assert.Equal("Healthy", result.GetProperty("health").GetString());

            // The silo stopped its Python worker when the application stopped it.
            Assert.Empty(BridgeProcessesUnder(work));
        }
        finally
        {
            foreach (var pid in BridgeProcessesUnder(work))
            {
                OsProcesses.Kill(pid);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static void CopySample(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj" or "NuGet.config")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// DSPex packages only from the feed; the rest from nuget.org, or at once from the user's package cache (a fallback
    /// folder, read only), so the restore takes seconds. Packages land in a cache of this test's own.
    /// </summary>
    private static string NuGetConfig(string feed, string cache)
    {
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{cache}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                <add key="user" value="{userCache}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="dspex-local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="dspex-local"><package pattern="DSPex.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """;
    }

    /// <summary>Live processes whose command line runs a bridge from under this directory.</summary>
    private static IReadOnlyList<int> BridgeProcessesUnder(string directory) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && OsProcesses.CommandLine(pid).Contains(directory, StringComparison.Ordinal)
                && OsProcesses.CommandLine(pid).Contains("dspex_bridge.py", StringComparison.Ordinal))
            .ToList();
}
