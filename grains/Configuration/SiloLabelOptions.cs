namespace DSPex.Orleans.Configuration;

/// <summary>
/// Labels of this silo (configuration "DSPex:Labels", for example ["gpu"]): a named pool with a
/// <see cref="DSPexPoolOptions.SiloLabel"/> runs only on silos that carry it. Set per silo (a Kubernetes node pool's
/// deployment), while the pools' settings can be the same everywhere.
/// </summary>
public sealed class SiloLabelOptions
{
    /// <summary>The configuration section the labels bind from (the key is "DSPex:Labels").</summary>
    public const string SectionName = "DSPex";

    /// <summary>This silo's labels.</summary>
    public List<string> Labels { get; set; } = [];
}
