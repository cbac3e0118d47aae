using DSPex.Orleans.Hosting;

namespace DSPex.Orleans.Tests.Tools;

/// <summary>Silo tools of the test silos.</summary>
public sealed class ToolSiloConfigurator : global::Orleans.TestingHost.ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddDSPexTool<AddArgs, int>("silo_add", "Adds two numbers on the silo", (args, _) => Task.FromResult(args.A + args.B))
            .AddDSPexTool<BytesArgs, byte[]>("silo_reverse", "Reverses bytes on the silo", (args, _) => Task.FromResult(args.Data.Reverse().ToArray()));
}
