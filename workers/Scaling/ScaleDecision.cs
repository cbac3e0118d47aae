namespace DSPex.Orleans.Workers.Scaling;

/// <summary>What the scaler asks of the pool after one observation: start <see cref="Grow"/> more workers, retire these idle slots.</summary>
internal sealed record ScaleDecision(int Grow, IReadOnlyList<int> Retire)
{
    public static readonly ScaleDecision None = new(0, []);

    public bool IsNone => Grow == 0 && Retire.Count == 0;
}
