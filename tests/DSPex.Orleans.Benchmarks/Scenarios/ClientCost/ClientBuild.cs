using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.Loader;
using DSPex.Orleans.Client;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Benchmarks.Scenarios.ClientCost;

/// <summary>
/// A build of the client library's execute call, to A/B the library in one run: this build (the project reference), or
/// another DSPex.Orleans.Client.dll (say, the base commit's) loaded into a load context of its own, everything it
/// references (Orleans, the contracts) shared with this process, so both builds run over the same Orleans client.
/// </summary>
public sealed class ClientBuild
{
    private readonly Func<IGrainFactory, Func<string, string, ValueTask<ExecuteResponse>>> _create;

    private ClientBuild(string name, Func<IGrainFactory, Func<string, string, ValueTask<ExecuteResponse>>> create)
    {
        Name = name;
        _create = create;
    }

    /// <summary>"this" for the referenced build, the variant's name for another.</summary>
    public string Name { get; }

    public static ClientBuild Current { get; } = new("this", grains =>
    {
        var client = new DSPexClient(grains);
        return (command, args) => client.ExecuteResponseAsync(command, args);
    });

    /// <summary>Loads DSPex.Orleans.Client.dll from <paramref name="assemblyPath"/> into a context of its own.</summary>
    public static ClientBuild Load(string name, string assemblyPath)
    {
        var context = new OtherClientContext(name);
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var type = assembly.GetType("DSPex.Orleans.Client.DSPexClient", throwOnError: true)!;
        var constructor = type.GetConstructors().Single(c => c.GetParameters() is [{ } first, ..] && first.ParameterType == typeof(IGrainFactory));
        var execute = type.GetMethod("ExecuteResponseAsync")
            ?? throw new InvalidOperationException($"{assemblyPath} has no DSPexClient.ExecuteResponseAsync");
        var parameters = execute.GetParameters();
        return new ClientBuild(name, grains =>
        {
            var arguments = constructor.GetParameters()
                .Select((p, i) => i == 0 ? grains : p.HasDefaultValue ? p.DefaultValue : null)
                .ToArray();
            var client = constructor.Invoke(arguments);
            var command = Expression.Parameter(typeof(string), "command");
            var args = Expression.Parameter(typeof(string), "args");
            var call = Expression.Call(
                Expression.Constant(client),
                execute,
                // Options and token as their defaults: null and CancellationToken.None.
                [command, args, .. parameters.Skip(2).Select(p => (Expression)Expression.Default(p.ParameterType))]);
            Expression body = execute.ReturnType == typeof(ValueTask<ExecuteResponse>)
                ? call
                : Expression.New(typeof(ValueTask<ExecuteResponse>).GetConstructor([typeof(Task<ExecuteResponse>)])!, call);
            return Expression.Lambda<Func<string, string, ValueTask<ExecuteResponse>>>(body, command, args).Compile();
        });
    }

    /// <summary>A new client of this build over <paramref name="grains"/>: its execute call with default options.</summary>
    public Func<string, string, ValueTask<ExecuteResponse>> CreateClient(IGrainFactory grains) => _create(grains);

    /// <summary>Loads only the client assembly itself; every reference resolves from the default context.</summary>
    private sealed class OtherClientContext(string name) : AssemblyLoadContext($"dspex-client-{name}")
    {
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
