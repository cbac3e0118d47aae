using DSPex.Orleans.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>One YAML document of a manifest file, with the file it came from for assertion messages.</summary>
internal sealed record ManifestDocument(string File, YamlMappingNode Root)
{
    public string? Kind => Root.Scalar("kind");

    public string? Name => Root.Scalar("metadata.name");

    public override string ToString() => $"{File}: {Kind}/{Name}";
}

/// <summary>Finds the deployment files of this checkout from the test binaries and parses them.</summary>
internal static class RepositoryFiles
{
    // The tests check the files in the checkout, not copies in the output.
    public static string Root => Repository.Root;

    public static string KubernetesDirectory => Path.Combine(Root, "deploy", "kubernetes");

    public static string Dockerfile => Path.Combine(Root, "deploy", "docker", "Dockerfile");

    public static string DockerIgnore => Path.Combine(Root, ".dockerignore");

    /// <summary>Manifest files relative to deploy/kubernetes, kustomization.yaml excluded (it is not applied to the cluster).</summary>
    public static IReadOnlyList<string> ManifestFiles() =>
        Directory.EnumerateFiles(KubernetesDirectory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(KubernetesDirectory, f).Replace('\\', '/'))
            .Where(f => f != "kustomization.yaml")
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<ManifestDocument> Documents() =>
        ManifestFiles().SelectMany(f => Load(Path.Combine(KubernetesDirectory, f)).Select(root => new ManifestDocument(f, root))).ToList();

    public static IReadOnlyList<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        return stream.Documents
            .Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }) // an empty document after a trailing ---
            .Select(d => Assert.IsType<YamlMappingNode>(d.RootNode))
            .ToList();
    }
}

/// <summary>Dotted-path access into parsed YAML ("spec.template.spec"); null when any step is missing.</summary>
internal static class YamlPaths
{
    public static YamlNode? Find(this YamlNode node, string path)
    {
        YamlNode? current = node;
        foreach (var key in path.Split('.'))
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }

        return current;
    }

    public static string? Scalar(this YamlNode node, string path) => (node.Find(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode node, string path) =>
        node.Find(path) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"no mapping at '{path}'");

    public static IReadOnlyList<YamlNode> Sequence(this YamlNode node, string path) =>
        (node.Find(path) as YamlSequenceNode)?.Children.ToList() ?? [];

    public static IReadOnlyList<string> Scalars(this YamlNode node, string path) =>
        node.Sequence(path).OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList();

    /// <summary>A string-to-string mapping such as labels or a selector.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(this YamlNode node, string path) =>
        (node.Find(path) as YamlMappingNode)?.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "")
        ?? new Dictionary<string, string>();
}
