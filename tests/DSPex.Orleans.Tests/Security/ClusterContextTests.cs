using DSPex.Orleans.Contracts;
using DSPex.Orleans.Tests.Infrastructure;

namespace DSPex.Orleans.Tests.Security;

/// <summary>
/// A client that calls a pool grain directly (possible in a host without the trust boundary, such as this test
/// cluster) cannot hand a worker another session's id and variables: the pool runs the request without them.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(TwoSiloCollection.Name)]
public sealed class ClusterContextTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task SessionContextSentByAClientToAPoolGrainIsIgnored()
    {
        var pool = fixture.Cluster.PrimaryPool();
        var injected = new ExecuteRequest("remember", "{\"name\":\"x\",\"value\":1}",
            Session: new SessionCallContext("victim-session", "{\"x\":\"planted\"}"),
            Program: new ProgramCall("p", 1, "{\"type\":\"my_program\"}"));

        var response = await pool.ExecuteAsync(injected);

        // Run as a stateless call: "remember" finds no session to write to (with the injected context it would
        // have answered previous = "planted" from the victim's variables).
        Assert.Equal(DSPexErrorKind.PythonException, response.Error?.Kind);
        Assert.Contains("needs a session call", response.Error!.Message);
        Assert.Null(response.ResultJson);
    }
}
