using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Tools.Brokering;

/// <summary>One silo tool, as the silo-builder extensions register it (built from the silo's services when the broker starts).</summary>
internal sealed record SiloToolRegistration(Func<IServiceProvider, DSPexTool> Build);
