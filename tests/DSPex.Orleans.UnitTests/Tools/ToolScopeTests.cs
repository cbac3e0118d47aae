using DSPex.Orleans.Tools.Brokering;
using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Security;
using DSPex.Orleans.Tests.Tools;
using DSPex.Orleans.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.UnitTests.Tools;

/// <summary>
/// Who may call which tool: a scoped credential reaches only the tools its scopes name (tool:&lt;name&gt;, wildcards
/// included), for silo tools and its own client's tools alike; it cannot list the others either. A call from inside
/// the cluster (no principal) and a cluster without credentials reach every tool.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ToolScopeTests
{
    private static ToolBroker Broker(bool withKeys)
    {
        var services = new ServiceCollection();
        var security = new DSPexSecurityOptions();
        if (withKeys)
        {
            security.ApiKeys["limited"] = new ApiKeyOptions { Hash = ApiKeyHash.Of("limited-key"), Scopes = ["execute", "tool:lookup", "tool:silo_*"] };
            security.ApiKeys["full"] = new ApiKeyOptions { Hash = ApiKeyHash.Of("full-key"), Scopes = ["*"] };
        }

        services.AddSingleton(Options.Create(security));
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton(new SiloToolRegistration(_ => DSPexTool.Create<AddArgs, int>("silo_add", "adds", (a, _) => Task.FromResult(a.A + a.B))));
        services.AddSingleton(new SiloToolRegistration(_ => DSPexTool.Create<AddArgs, int>("admin_reset", "resets", (_, _) => Task.FromResult(0))));
        var provider = services.BuildServiceProvider();
        return new ToolBroker(provider, Options.Create(new DSPexToolOptions()), NullLogger<ToolBroker>.Instance);
    }

    private static readonly ClientTools Client = new(null!, new TestTools().Build().Describe());

    [Fact]
    public async Task AScopedCallerCallsOnlyTheToolsItsScopesName()
    {
        var broker = Broker(withKeys: true);
        Assert.Equal("3", (await broker.InvokeAsync(null, "limited", "silo_add", """{"a":1,"b":2}""", null, default)).ResultJson);
        var forbidden = await broker.InvokeAsync(null, "limited", "admin_reset", """{"a":1,"b":2}""", null, default);
        Assert.Equal(ToolErrorKinds.Forbidden, forbidden.Error!.Kind);
        Assert.Contains("tool:admin_reset", forbidden.Error.Message);

        // Its own client's tools too: only those its scopes name (the refusal comes before the client is called).
        Assert.Equal(ToolErrorKinds.Forbidden, (await broker.InvokeAsync(Client, "limited", "fail", "{}", null, default)).Error!.Kind);
        Assert.Equal(["lookup", "silo_add"], broker.Visible(Client, "limited").Select(t => t.Name));
    }

    [Fact]
    public async Task AnUnknownCredentialReachesNothingAndFullScopeReachesEverything()
    {
        var broker = Broker(withKeys: true);
        Assert.Equal(ToolErrorKinds.Forbidden, (await broker.InvokeAsync(null, "nobody", "silo_add", """{"a":1,"b":2}""", null, default)).Error!.Kind);
        Assert.Empty(broker.Visible(Client, "nobody"));
        Assert.Equal(8, broker.Visible(Client, "full").Length); // the test tools: 6 of the client (with digest and blob), 2 of the silo
    }

    [Fact]
    public async Task InsideTheClusterOrWithoutCredentialsEveryToolIsReachable()
    {
        Assert.Equal("0", (await Broker(withKeys: true).InvokeAsync(null, null, "admin_reset", """{"a":1,"b":2}""", null, default)).ResultJson);
        Assert.Equal("0", (await Broker(withKeys: false).InvokeAsync(null, "anonymous", "admin_reset", """{"a":1,"b":2}""", null, default)).ResultJson);
    }

    [Fact]
    public async Task AnUnknownToolListsOnlyWhatTheCallerMayCall()
    {
        // Outside its scopes, a name is refused before it is looked up: a scoped caller never learns which tools exist.
        Assert.Equal(ToolErrorKinds.Forbidden, (await Broker(withKeys: true).InvokeAsync(Client, "limited", "nope", "{}", null, default)).Error!.Kind);
        var unknown = await Broker(withKeys: true).InvokeAsync(Client, "limited", "silo_nope", "{}", null, default);
        Assert.Equal(ToolErrorKinds.UnknownTool, unknown.Error!.Kind);
        Assert.EndsWith("may call: lookup, silo_add", unknown.Error.Message);
    }

    [Fact]
    public void ASchemaIsGeneratedFromTheArgumentRecord()
    {
        using var schema = JsonDocument.Parse(DSPexTool.Create<LookupArgs, Person>("lookup", "Finds a person", (a, _) => Task.FromResult(new Person(a.Id, ""))).SchemaJson);
        Assert.Equal("object", schema.RootElement.GetProperty("type").GetString());
        Assert.Equal("integer", schema.RootElement.GetProperty("properties").GetProperty("id").GetProperty("type").GetString());
        Assert.Equal("Finds a person", schema.RootElement.GetProperty("description").GetString());
        Assert.Throws<ArgumentException>(() => DSPexTool.Create<LookupArgs, Person>("bad name!", "", (a, _) => Task.FromResult(new Person(a.Id, ""))));
    }
}
