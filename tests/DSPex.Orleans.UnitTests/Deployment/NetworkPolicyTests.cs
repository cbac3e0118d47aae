namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>
/// The NetworkPolicies select the right pods: the gateway only from labelled client pods, the silo port only
/// between silos, Redis only from silos, HTTP only from a labelled scraper.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NetworkPolicyTests
{
    private const int SiloPort = 11111, GatewayPort = 30000, HttpPort = 8080, RedisPort = 6379;

    private static readonly NetworkPolicyEvaluator Policies = new(RepositoryFiles.Documents());

    private static readonly Dictionary<string, string> None = [];
    private static readonly Dictionary<string, string> ClientNamespace = new() { ["dspex.io/clients"] = "true" };

    private static Dictionary<string, string> PodLabels(string deployment) =>
        RepositoryFiles.Documents().Single(d => d.Kind == "Deployment" && d.Name == deployment).Root.StringMap("spec.template.metadata.labels")
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    private static readonly Dictionary<string, string> Silo = PodLabels("dspex-silo");
    private static readonly Dictionary<string, string> Redis = PodLabels("redis");

    private static PolicyPeer Peer(Dictionary<string, string> labels, Dictionary<string, string>? namespaceLabels = null, bool home = true) =>
        new(labels, namespaceLabels ?? None, home);

    private static readonly PolicyPeer SiloPeer = Peer(Silo);
    private static readonly PolicyPeer ClientPeer = Peer(new() { ["dspex.io/client"] = "true" });
    private static readonly PolicyPeer StrangerPeer = Peer(new() { ["app"] = "something-else" });
    private static readonly PolicyPeer ScraperPeer = Peer(new() { ["dspex.io/metrics-scraper"] = "true" }, home: false);

    [Fact]
    public void Every_pod_of_the_product_is_selected_for_ingress()
    {
        Assert.True(Policies.SelectsForIngress(Silo), "no NetworkPolicy selects the silo pods");
        Assert.True(Policies.SelectsForIngress(Redis), "no NetworkPolicy selects the Redis pod");
    }

    [Fact]
    public void Silo_port_is_open_between_silos_only()
    {
        Assert.True(Policies.Admits(SiloPeer, Silo, SiloPort));
        Assert.False(Policies.Admits(ClientPeer, Silo, SiloPort));
        Assert.False(Policies.Admits(StrangerPeer, Silo, SiloPort));
    }

    [Fact]
    public void Gateway_is_open_to_labelled_client_pods_only()
    {
        Assert.True(Policies.Admits(ClientPeer, Silo, GatewayPort));
        Assert.True(Policies.Admits(Peer(new() { ["dspex.io/client"] = "true" }, ClientNamespace, home: false), Silo, GatewayPort));
        Assert.False(Policies.Admits(Peer(new() { ["dspex.io/client"] = "true" }, None, home: false), Silo, GatewayPort),
            "a client-labelled pod in a namespace that is not labelled for clients reached the gateway");
        Assert.False(Policies.Admits(StrangerPeer, Silo, GatewayPort));
        Assert.False(Policies.Admits(Peer(None, ClientNamespace, home: false), Silo, GatewayPort),
            "an unlabelled pod in a client namespace reached the gateway");
    }

    [Fact]
    public void Redis_is_open_to_silos_only()
    {
        Assert.True(Policies.Admits(SiloPeer, Redis, RedisPort));
        Assert.False(Policies.Admits(ClientPeer, Redis, RedisPort));
        Assert.False(Policies.Admits(StrangerPeer, Redis, RedisPort));
        Assert.False(Policies.Admits(ScraperPeer, Redis, RedisPort));
    }

    [Fact]
    public void Http_port_is_open_to_a_labelled_scraper_only()
    {
        Assert.True(Policies.Admits(ScraperPeer, Silo, HttpPort));
        Assert.False(Policies.Admits(StrangerPeer, Silo, HttpPort));
        Assert.False(Policies.Admits(ClientPeer, Silo, HttpPort));
    }
}
