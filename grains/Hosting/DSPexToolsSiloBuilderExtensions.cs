using DSPex.Orleans.Tools.Brokering;
using System.Text.Json;
using DSPex.Orleans.Configuration;
using DSPex.Orleans.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace DSPex.Orleans.Hosting;

/// <summary>
/// Silo tools: .NET functions next to the workers that Python may call mid-request (dspex.call_tool), for every
/// caller whose scopes allow them (tool:&lt;name&gt;). See docs/tools.md.
/// </summary>
public static class DSPexToolsSiloBuilderExtensions
{
    /// <summary>Adds a silo tool with typed arguments (their JSON Schema is generated) and an async handler.</summary>
    public static ISiloBuilder AddDSPexTool<TArgs, TResult>(this ISiloBuilder builder, string name, string description,
        Func<TArgs, CancellationToken, Task<TResult>> handler, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tool = DSPexTool.Create(name, description, handler, json);
        return builder.AddDSPexTool(_ => tool);
    }

    /// <summary>Adds a silo tool built from the silo's services when the silo starts (a tool that needs a grain factory, say).</summary>
    public static ISiloBuilder AddDSPexTool(this ISiloBuilder builder, Func<IServiceProvider, DSPexTool> build)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(build);
        builder.Services.AddSingleton(new SiloToolRegistration(build));
        return builder;
    }

    /// <summary>Sets how the silo runs tools ("DSPex:Tools"; the pool binds the section).</summary>
    public static ISiloBuilder ConfigureDSPexTools(this ISiloBuilder builder, Action<DSPexToolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }
}
