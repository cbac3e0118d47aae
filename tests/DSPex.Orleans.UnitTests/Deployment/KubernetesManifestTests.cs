using System.Globalization;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>
/// Checks deploy/kubernetes without a cluster: the manifests parse, hang together (names, selectors, ports)
/// and keep the contract with the silo (probes, drain vs. grace period, the pod environment Orleans
/// Kubernetes hosting reads, the RBAC it needs).
/// </summary>
[Trait("Category", "Unit")]
public sealed class KubernetesManifestTests
{
    private static readonly IReadOnlyList<ManifestDocument> Documents = RepositoryFiles.Documents();

    [Fact]
    public void Every_document_is_a_namespace_agnostic_kubernetes_object()
    {
        Assert.NotEmpty(Documents);
        foreach (var doc in Documents)
        {
            Assert.False(string.IsNullOrWhiteSpace(doc.Root.Scalar("apiVersion")), $"{doc}: no apiVersion");
            Assert.False(string.IsNullOrWhiteSpace(doc.Kind), $"{doc}: no kind");
            Assert.False(string.IsNullOrWhiteSpace(doc.Name), $"{doc}: no metadata.name");
            // The namespace is chosen at apply time (-n or an overlay); a hard-coded one would defeat that.
            Assert.True(doc.Root.Find("metadata.namespace") is null, $"{doc}: sets metadata.namespace");
        }

        var kinds = Documents.Select(d => d.Kind).ToHashSet();
        foreach (var kind in new[] { "Deployment", "Service", "ServiceAccount", "Role", "RoleBinding", "PodDisruptionBudget" })
        {
            Assert.Contains(kind, kinds);
        }

        var duplicates = Documents.GroupBy(d => (d.Kind, d.Name)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Kind}/{g.Key.Name}");
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Kustomization_lists_every_manifest_file_and_nothing_else()
    {
        var kustomization = Assert.Single(RepositoryFiles.Load(Path.Combine(RepositoryFiles.KubernetesDirectory, "kustomization.yaml")));
        Assert.Equal("Kustomization", kustomization.Scalar("kind"));
        var listed = kustomization.Scalars("resources").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(RepositoryFiles.ManifestFiles(), listed);
    }

    [Fact]
    public void Silo_deployment_runs_two_replicas_whose_selector_matches_its_pods()
    {
        var deployment = Silo();
        Assert.Equal("2", deployment.Root.Scalar("spec.replicas"));
        AssertSelects(deployment.Root.StringMap("spec.selector.matchLabels"), deployment, "Deployment selector");
    }

    [Fact]
    public void Probes_hit_healthz_and_readyz_on_the_http_port()
    {
        var container = SiloContainer();
        var httpPort = int.Parse(Env(container, "DSPEX_DSPex__Silo__HttpPort") ?? "8080", CultureInfo.InvariantCulture);
        Assert.Equal(8080, httpPort);

        AssertProbe(container, "livenessProbe", "/healthz", httpPort);
        AssertProbe(container, "readinessProbe", "/readyz", httpPort);
        // The startup probe keeps liveness from killing a silo that is still joining the cluster.
        AssertProbe(container, "startupProbe", "/healthz", httpPort);
    }

    [Fact]
    public void Grace_period_outlasts_the_drain_and_the_python_stop()
    {
        var pod = Silo().Root.Map("spec.template.spec");
        var grace = TimeSpan.FromSeconds(int.Parse(pod.Scalar("terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));
        var container = SiloContainer();
        var drain = TimeSpan.Parse(
            Env(container, "DSPEX_DSPex__Silo__DrainTimeout") ?? throw new Xunit.Sdk.XunitException("DrainTimeout is not set"),
            CultureInfo.InvariantCulture);
        var pythonStop = TimeSpan.Parse(Env(container, "DSPEX_DSPex__Pool__StopGracePeriod") ?? "00:00:03", CultureInfo.InvariantCulture);

        Assert.True(drain > TimeSpan.Zero, $"DrainTimeout {drain}");
        Assert.True(pythonStop >= TimeSpan.FromSeconds(3), $"StopGracePeriod {pythonStop} below the pool's 3 s default");
        Assert.True(grace > drain + pythonStop,
            $"terminationGracePeriodSeconds {grace.TotalSeconds} s must exceed DrainTimeout {drain.TotalSeconds} s + Python stop {pythonStop.TotalSeconds} s");
    }

    [Fact]
    public void Pod_identity_comes_from_the_downward_api()
    {
        var container = SiloContainer();
        Assert.Equal("metadata.name", FieldRef(container, "POD_NAME"));
        Assert.Equal("metadata.namespace", FieldRef(container, "POD_NAMESPACE"));
        Assert.Equal("status.podIP", FieldRef(container, "POD_IP"));
        Assert.Equal("status.podIP", FieldRef(container, "DSPEX_DSPex__Silo__AdvertisedAddress"));

        // Orleans Kubernetes hosting reads its identity from pod labels; the labels must exist on the pod template.
        var labels = Silo().Root.StringMap("spec.template.metadata.labels");
        foreach (var (variable, label) in new[] { ("ORLEANS_CLUSTER_ID", "orleans/clusterId"), ("ORLEANS_SERVICE_ID", "orleans/serviceId") })
        {
            Assert.Equal($"metadata.labels['{label}']", FieldRef(container, variable));
            Assert.True(labels.TryGetValue(label, out var value) && value.Length > 0, $"pod template has no label {label}");
        }
    }

    [Fact]
    public void Role_lets_orleans_hosting_read_pods_only_and_is_bound_to_the_silo_service_account()
    {
        var role = Single("Role");
        var rules = role.Root.Sequence("rules");
        // Orleans hosting reads its pod and watches the cluster's pods; nothing else (no delete, no patch, no other resource).
        var rule = Assert.Single(rules);
        Assert.Equal([""], rule.Scalars("apiGroups"));
        Assert.Equal(["pods"], rule.Scalars("resources"));
        Assert.Equal(["get", "list", "watch"], rule.Scalars("verbs").Order(StringComparer.Ordinal));

        var serviceAccount = Silo().Root.Scalar("spec.template.spec.serviceAccountName");
        Assert.False(string.IsNullOrEmpty(serviceAccount), "the silo pods run as the default service account");
        Assert.Contains(Documents, d => d.Kind == "ServiceAccount" && d.Name == serviceAccount);

        var binding = Single("RoleBinding");
        Assert.Equal("Role", binding.Root.Scalar("roleRef.kind"));
        Assert.Equal(role.Name, binding.Root.Scalar("roleRef.name"));
        Assert.Contains(binding.Root.Sequence("subjects"), s => s.Scalar("kind") == "ServiceAccount" && s.Scalar("name") == serviceAccount);
    }

    [Fact]
    public void Silos_declare_a_dead_peer_dead_fast_and_know_a_deleted_pod_from_the_api_server()
    {
        var container = SiloContainer();
        // A preset the silo knows (silo/Configuration/MembershipSettings.cs); a wrong one stops every pod at start.
        Assert.Contains(Env(container, "DSPEX_DSPex__Silo__Membership__Preset"), new[] { "fast-failover", "orleans-defaults" });
        // Orleans' Kubernetes hosting runs only where the whole pod environment is present (SiloHostBuilder.KubernetesEnvironment).
        foreach (var variable in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID" })
        {
            Assert.False(string.IsNullOrEmpty(FieldRef(container, variable)), $"{variable} is not given to the pod");
        }

        // It watches pods to see a deleted one: the Role must grant watch and list on pods.
        var verbs = Single("Role").Root.Sequence("rules").SelectMany(r => r.Scalars("verbs")).ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, verbs);
    }

    [Fact]
    public void Service_exposes_the_gateway_and_http_ports_of_the_silo_pods()
    {
        var podLabels = Silo().Root.StringMap("spec.template.metadata.labels");
        var service = Assert.Single(Documents, d => d.Kind == "Service"
            && d.Root.StringMap("spec.selector") is { Count: > 0 } selector
            && selector.All(kv => podLabels.GetValueOrDefault(kv.Key) == kv.Value));
        var container = SiloContainer();
        var exposed = service.Root.Sequence("spec.ports")
            .Select(p => (Port: p.Scalar("port"), Target: ResolvePort(container, p.Scalar("targetPort") ?? p.Scalar("port")!)))
            .ToList();
        Assert.Contains(("30000", 30000), exposed);
        Assert.Contains(("8080", 8080), exposed);
    }

    [Fact]
    public void Disruption_budget_allows_one_silo_down_at_a_time()
    {
        var pdb = Single("PodDisruptionBudget");
        Assert.Equal("1", pdb.Root.Scalar("spec.maxUnavailable"));
        AssertSelects(pdb.Root.StringMap("spec.selector.matchLabels"), Silo(), "PodDisruptionBudget selector");
    }

    [Fact]
    public void Redis_connection_string_and_password_come_from_one_secret()
    {
        var connection = EnvEntry(SiloContainer(), "DSPEX_DSPex__Silo__RedisConnectionString")
            ?? throw new Xunit.Sdk.XunitException("no Redis connection string: the silos would start a localhost cluster each");
        Assert.True(connection.Scalar("value") is null, "the Redis connection string (with its password) is a literal in the manifest");
        var secret = connection.Scalar("valueFrom.secretKeyRef.name");
        Assert.False(string.IsNullOrEmpty(secret), "the Redis connection string does not come from a Secret");

        // The trial Redis requires the password from the same Secret, and never sees it on a command line.
        var redis = Documents.Single(d => d.Kind == "Deployment" && d.Name == "redis").Root.Sequence("spec.template.spec.containers").Single();
        Assert.Equal(secret, EnvEntry(redis, "REDIS_PASSWORD")?.Scalar("valueFrom.secretKeyRef.name"));
        var command = string.Join(' ', redis.Scalars("command").Concat(redis.Scalars("args")));
        Assert.Contains("requirepass", command, StringComparison.Ordinal);
        Assert.DoesNotContain("--requirepass", command, StringComparison.Ordinal);
        Assert.Contains(Documents, d => d.Kind == "Service" && d.Name == "redis");
    }

    [Fact]
    public void Silo_requires_api_keys_and_tls_whose_material_comes_from_secrets()
    {
        var container = SiloContainer();
        // The manifest's environment, read the way the silo reads it (DSPEX_ prefix, "__" as the section separator),
        // so a misspelt variable shows up here and not as an open silo in a cluster.
        var settings = container.Sequence("env")
            .Where(e => e.Scalar("name")!.StartsWith("DSPEX_", StringComparison.Ordinal))
            .ToDictionary(e => e.Scalar("name")!["DSPEX_".Length..].Replace("__", ":", StringComparison.Ordinal),
                e => e.Scalar("value") ?? (e.Scalar("valueFrom.secretKeyRef.name") is { } secret ? $"<secret {secret}>" : null));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var security = configuration.GetSection(DSPex.Orleans.Configuration.DSPexSecurityOptions.SectionName).Get<DSPex.Orleans.Configuration.DSPexSecurityOptions>()
            ?? throw new Xunit.Sdk.XunitException("no DSPex:Security settings: a silo on the pod network would accept anyone");
        Assert.True(security.RequiresCredentials);
        Assert.False(security.AllowAnonymous);
        foreach (var (name, key) in security.ApiKeys)
        {
            Assert.True(key.Hash.StartsWith("<secret ", StringComparison.Ordinal), $"API key '{name}' hash is not from a Secret");
            Assert.NotEmpty(key.Scopes);
            Assert.DoesNotContain("*", key.Scopes);
        }

        // TLS files under a read-only mount of a Secret volume.
        var mounts = container.Sequence("volumeMounts").ToDictionary(m => m.Scalar("mountPath")!, m => m);
        var volumes = Silo().Root.Sequence("spec.template.spec.volumes").ToDictionary(v => v.Scalar("name")!, v => v);
        foreach (var file in new[] { "CertificateFile", "KeyFile", "CaFile" })
        {
            var path = configuration[$"DSPex:Security:Tls:{file}"] ?? throw new Xunit.Sdk.XunitException($"DSPex:Security:Tls:{file} is not set");
            var mount = mounts.Single(m => path.StartsWith(m.Key + "/", StringComparison.Ordinal)).Value;
            Assert.Equal("true", mount.Scalar("readOnly"));
            Assert.False(string.IsNullOrEmpty(volumes[mount.Scalar("name")!].Scalar("secret.secretName")), $"{path} is not from a Secret");
        }
    }

    [Fact]
    public void Resources_give_every_python_worker_a_core()
    {
        var container = SiloContainer();
        foreach (var path in new[] { "resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory" })
        {
            Assert.False(string.IsNullOrEmpty(container.Scalar(path)), $"silo container has no {path}");
        }

        // The pool size must be explicit: its default (processor count) would follow the node, not the limit.
        var poolSize = int.Parse(Env(container, "DSPEX_DSPex__Pool__Size") ?? throw new Xunit.Sdk.XunitException("Pool size is not set"),
            CultureInfo.InvariantCulture);
        var cpuLimit = Cores(container.Scalar("resources.limits.cpu")!);
        Assert.True(cpuLimit >= poolSize, $"{poolSize} workers (one core each at most) under a {cpuLimit}-core limit");
    }

    private static ManifestDocument Silo() =>
        Documents.Single(d => d.Kind == "Deployment" && d.Root.Sequence("spec.template.spec.containers").Any(c => c.Scalar("image")?.Contains("dspex-silo", StringComparison.Ordinal) == true));

    private static YamlNode SiloContainer() =>
        Silo().Root.Sequence("spec.template.spec.containers").Single(c => c.Scalar("image")?.Contains("dspex-silo", StringComparison.Ordinal) == true);

    private static ManifestDocument Single(string kind) => Assert.Single(Documents, d => d.Kind == kind);

    private static YamlNode? EnvEntry(YamlNode container, string name) =>
        container.Sequence("env").SingleOrDefault(e => e.Scalar("name") == name);

    private static string? Env(YamlNode container, string name) => EnvEntry(container, name)?.Scalar("value");

    private static string? FieldRef(YamlNode container, string name) =>
        (EnvEntry(container, name) ?? throw new Xunit.Sdk.XunitException($"env {name} is not set")).Scalar("valueFrom.fieldRef.fieldPath");

    /// <summary>A probe or Service target port, by number or by the container port's name.</summary>
    private static int ResolvePort(YamlNode container, string port)
    {
        if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var named = container.Sequence("ports").SingleOrDefault(p => p.Scalar("name") == port)
            ?? throw new Xunit.Sdk.XunitException($"no container port named '{port}'");
        return int.Parse(named.Scalar("containerPort")!, CultureInfo.InvariantCulture);
    }

    private static void AssertProbe(YamlNode container, string probe, string path, int port)
    {
        Assert.Equal(path, container.Scalar($"{probe}.httpGet.path"));
        Assert.Equal(port, ResolvePort(container, container.Scalar($"{probe}.httpGet.port") ?? throw new Xunit.Sdk.XunitException($"{probe} has no port")));
    }

    private static void AssertSelects(IReadOnlyDictionary<string, string> selector, ManifestDocument deployment, string what)
    {
        Assert.NotEmpty(selector);
        var labels = deployment.Root.StringMap("spec.template.metadata.labels");
        foreach (var (key, value) in selector)
        {
            Assert.True(labels.GetValueOrDefault(key) == value, $"{what} {key}={value} does not match the silo pod labels");
        }
    }

    /// <summary>A CPU quantity ("4", "1.5", "500m") in cores.</summary>
    private static double Cores(string quantity) =>
        quantity.EndsWith('m')
            ? double.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000
            : double.Parse(quantity, CultureInfo.InvariantCulture);
}
