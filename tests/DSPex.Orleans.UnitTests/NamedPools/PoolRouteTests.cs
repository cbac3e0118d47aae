using System.Net;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Routing;

namespace DSPex.Orleans.UnitTests.NamedPools;

/// <summary>Which pool a request runs in, from a made-up cluster directory (no silo, no process).</summary>
[Trait("Category", "Unit")]
public sealed class PoolRouteTests
{
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    // Silo A runs default and alt; silo B also runs gpu. "shared" is registered by default and alt; "starting" has no worker yet.
    private static readonly PoolDirectory Directory = new(
    [
        (SiloA, [new PoolOffer(PoolNames.Default, ["summarize", "shared"], true), new PoolOffer("alt", ["alt_only", "shared"], true)]),
        (SiloB, [new PoolOffer(PoolNames.Default, ["summarize", "shared"], true), new PoolOffer("alt", ["alt_only", "shared"], true),
                 new PoolOffer("gpu", ["embed"], true), new PoolOffer("starting", [], false)]),
    ]);

    [Theory]
    [InlineData("summarize", PoolNames.Default)]
    [InlineData("alt_only", "alt")]
    [InlineData("embed", "gpu")]
    [InlineData("ping", PoolNames.Default)] // built-in: every pool has it, the default pool serves it
    [InlineData("nobody_has_this", PoolNames.Default)] // its worker answers UnknownCommand, completed with the offers
    public void A_request_naming_no_pool_runs_in_the_pool_that_registers_its_command(string command, string pool) =>
        Assert.Equal((pool, (ExecuteError?)null), PoolRoute.Resolve(command, null, Directory));

    [Fact]
    public void A_command_two_pools_register_needs_its_pool_named()
    {
        var (pool, error) = PoolRoute.Resolve("shared", null, Directory);
        Assert.Null(pool);
        Assert.Equal(DSPexErrorKind.InvalidArguments, error!.Kind);
        Assert.Contains("pools alt, default", error.Message);
        Assert.Equal(("alt", (ExecuteError?)null), PoolRoute.Resolve("shared", "alt", Directory));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("starting")]
    [InlineData(PoolNames.Default)]
    public void A_request_naming_a_pool_the_cluster_runs_goes_there_whatever_its_command(string pool) =>
        Assert.Equal((pool, (ExecuteError?)null), PoolRoute.Resolve("summarize", pool, Directory));

    [Theory]
    [InlineData("nope", "no silo runs a pool named 'nope'; the cluster's pools: alt, default, gpu, starting")]
    [InlineData("Bad", "character U+0042 at index 0")]
    [InlineData("a|b", "character U+007C at index 1")]
    [InlineData("", "pool is empty")]
    public void A_pool_the_cluster_does_not_run_or_a_malformed_name_is_invalid_arguments(string pool, string message)
    {
        var (routed, error) = PoolRoute.Resolve("summarize", pool, Directory);
        Assert.Null(routed);
        Assert.Equal(DSPexErrorKind.InvalidArguments, error!.Kind);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_unknown_command_answer_lists_what_each_pool_offers_and_which_have_not_started()
    {
        var unknown = ExecuteResponse.Failure(DSPexErrorKind.UnknownCommand, "unknown command 'x'");
        var message = PoolRoute.WithOffers("x", unknown, Directory).Error!.Message;
        Assert.Equal(
            "no pool registers the command 'x': pool alt offers alt_only, shared; pool default offers shared, summarize; " +
            "pool gpu offers embed; pool starting has not started a worker yet, so its commands are not known (a pool that starts on demand learns them on its first call: name the pool to run there)", message);

        // Other answers, and a cluster of the default pool only, are left as they are.
        var oneSilo = new PoolDirectory([(SiloA, [new PoolOffer(PoolNames.Default, ["summarize"], true)])]);
        Assert.Same(unknown, PoolRoute.WithOffers("x", unknown, oneSilo));
        var failed = ExecuteResponse.Failure(DSPexErrorKind.PythonException, "boom");
        Assert.Same(failed, PoolRoute.WithOffers("x", failed, Directory));
    }

    [Fact]
    public void The_directory_knows_which_silos_run_each_pool()
    {
        Assert.Equal([SiloA, SiloB], Directory.SilosOf("alt"));
        Assert.Equal([SiloB], Directory.SilosOf("gpu"));
        Assert.Empty(Directory.SilosOf("nope"));
    }

    [Fact]
    public void A_long_offer_is_cut_in_the_message()
    {
        var many = new PoolDirectory([(SiloA, [new PoolOffer(PoolNames.Default, [], true),
            new PoolOffer("big", [.. Enumerable.Range(0, 500).Select(i => $"c{i:D3}")], true)])]);
        var message = PoolRoute.WithOffers("x", ExecuteResponse.Failure(DSPexErrorKind.UnknownCommand, "unknown"), many).Error!.Message;
        Assert.Contains("c019 and 480 more", message);
        Assert.DoesNotContain("c020", message);
    }
}
