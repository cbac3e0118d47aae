using System.Reflection;
using System.Text.Json;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Contracts;
using Orleans.Runtime;

namespace DSPex.Orleans.UnitTests.Calls;

/// <summary>
/// The client's typed exceptions keep the exception that caused them (its type and stack stay readable), and none of
/// the library's public types is named like an Orleans type (a caller with both namespaces open would need
/// qualifiers; the client's silo-loss exception was once called SiloUnavailableException, as Orleans' is).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ErrorCauseTests
{
    [Fact]
    public void An_argument_the_cluster_rejected_keeps_the_rejection_as_its_cause()
    {
        var rejected = new ArgumentException("grain key too long");
        var typed = Assert.IsType<InvalidArgumentsException>(ClusterCalls.Typed(rejected));
        Assert.Same(rejected, typed.InnerException);
    }

    [Fact]
    public void A_failure_inside_the_silo_keeps_its_cause()
    {
        var failure = new InvalidOperationException("boom");
        Assert.Same(failure, Assert.IsType<InternalErrorException>(ClusterCalls.Typed(failure)).InnerException);
    }

    [Fact]
    public void Arguments_that_cannot_be_serialised_keep_the_serialiser_s_exception()
    {
        var cyclic = new Node();
        cyclic.Next = cyclic;
        var error = Assert.Throws<InvalidArgumentsException>(() => ClientChecks.Serialize(cyclic, new JsonSerializerOptions(), "args", stringIsJson: false));
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Fact]
    public void A_result_that_does_not_fit_the_type_keeps_the_reader_s_exception()
    {
        var error = Assert.Throws<ResultNotSerializableException>(() => ClientChecks.Deserialize<int>("\"text\"", new JsonSerializerOptions()));
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Fact]
    public void No_public_type_of_the_library_is_named_like_an_Orleans_type()
    {
        Assembly[] ours = [typeof(DSPexClient).Assembly, typeof(DSPexErrorKind).Assembly, typeof(DSPex.Orleans.Hosting.DSPexSiloBuilderExtensions).Assembly];
        Assembly[] orleans = [typeof(SiloAddress).Assembly, typeof(SiloUnavailableException).Assembly, typeof(IGrainFactory).Assembly, typeof(global::Orleans.Serialization.Serializer).Assembly];
        var orleansNames = orleans.SelectMany(a => a.GetExportedTypes()).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var clashes = ours.SelectMany(a => a.GetExportedTypes()).Where(t => orleansNames.Contains(t.Name)).Select(t => t.FullName).ToList();
        Assert.Empty(clashes);
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}
