namespace DSPex.Orleans.Silo.Health;

/// <summary>The words /readyz answers with while the silo is not serving; scripts and tests look for them.</summary>
internal static class ReadinessText
{
    public const string Starting = "starting";

    public const string Draining = "draining";
}
