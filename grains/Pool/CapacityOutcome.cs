using System.Diagnostics.CodeAnalysis;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Pool;

/// <summary>What asking for capacity came to: a grant, or the response that tells the caller why not (never both, never neither).</summary>
internal readonly struct CapacityOutcome
{
    private CapacityOutcome(CapacityGrant grant, ExecuteResponse? failure)
    {
        Grant = grant;
        Failure = failure;
    }

    /// <summary>The capacity given; meaningful only when <see cref="IsGranted"/>.</summary>
    public CapacityGrant Grant { get; }

    /// <summary>Why no capacity was given; set exactly when not <see cref="IsGranted"/>.</summary>
    public ExecuteResponse? Failure { get; }

    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsGranted => Failure is null;

    public static implicit operator CapacityOutcome(CapacityGrant grant) => new(grant, null);

    public static implicit operator CapacityOutcome(ExecuteResponse failure) => new(default, failure ?? throw new ArgumentNullException(nameof(failure)));
}
