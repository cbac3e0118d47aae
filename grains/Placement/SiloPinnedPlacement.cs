using Orleans.Placement;

namespace DSPex.Orleans.Placement;

/// <summary>
/// Places a grain on the silo named in its key (see <see cref="SiloKeys"/>). Used by grains that own
/// something local to one silo: Python processes, the silo's pool, its reaper.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("DSPex.Orleans.Placement.SiloPinnedPlacement")]
internal sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static SiloPinnedPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);
